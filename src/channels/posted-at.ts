/**
 * When this process last posted each reply whose send did not end in an answer (key → ms), for
 * the channels that settle an ambiguous send by looking for it (sms, whatsapp): how long it has
 * waited for news of it. Insertion order is posting order, so entries older than `keepMs` are
 * dropped from the front as new ones come.
 */
export class PostedAt {
  private readonly at = new Map<string, number>();

  constructor(private readonly keepMs: number) {}

  note(id: string): void {
    const now = Date.now();
    this.at.delete(id);
    this.at.set(id, now);
    for (const [key, t] of this.at) {
      if (now - t <= this.keepMs) break;
      this.at.delete(key);
    }
  }

  get(id: string): number | undefined {
    return this.at.get(id);
  }

  forget(id: string): void {
    this.at.delete(id);
  }
}
