/**
 * The message of whatever a call failed with, for a log line or a span status: an Error's
 * `message`, anything else as a string. Never throws (a value whose `toString` throws is named
 * by its type), since it runs in observers that must not change the call they observe.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}
