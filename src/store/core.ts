/** The repositories of the message path (conversations, delivery, outbox, requests): interfaces only. */
export interface CoreStore {}
