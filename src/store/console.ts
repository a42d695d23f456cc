/** The repositories the staff console uses: interfaces only. */
export interface ConsoleStore {}
