/**
 * Deployment-wide settings every process must agree on (the console's cookie-signing secret),
 * kept in the database so that several machines sharing it share them too.
 */
export interface SettingsRepo {
  /**
   * The value stored under `key`; when there is none, `make()` is stored and returned, in one
   * atomic insert-or-read: processes starting at once all get the one value that won. `make` is
   * pure and synchronous and may not be called when the key exists.
   */
  getOrCreate(key: string, make: () => string): Promise<string>;
}
