/** The label value every operation past the cap shares. */
export const OTHER_OPERATIONS = 'other';

/**
 * Caps the distinct `operation_type` label values of one metric set: the first `max` operations
 * seen keep their name, every later one is reported as `other`. An operation name comes from
 * code (`Class.method`, a `@Cached` or `wrap` name), so the cap only bites when a name is built
 * from data by mistake; then it bounds the series Prometheus has to keep instead of letting one
 * misuse take the server down.
 */
export class OperationLabels {
  private readonly named = new Set<string>();

  constructor(readonly max: number) {}

  /** The label value of `operation`: its own name while there is room, else `other`. */
  of(operation: string): string {
    if (this.named.has(operation)) return operation;
    if (this.named.size < this.max) {
      this.named.add(operation);
      return operation;
    }
    return OTHER_OPERATIONS;
  }
}
