/**
 * JSON from PostgreSQL carries a timestamptz as ISO text ("2026-03-02T10:00:00.123+01:00"); the row types
 * want the Date pg would have made of the column (both keep milliseconds, dropping the microseconds).
 */
export const timeFromJson = (text: string): Date => new Date(text)

export const timeOrNullFromJson = (text: string | null): Date | null =>
  text === null ? null : new Date(text)
