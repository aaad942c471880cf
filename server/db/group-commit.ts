// Group commit: concurrent writers share one database transaction, and so one fsync. While a group
// is being written, new submissions queue; the next group takes all of them. A lone writer waits
// for nothing; under load, throughput grows with the group instead of being bound by fsync latency.
export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxGroup = 256,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // One turn of the event loop lets requests that arrived together join the same group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const group = this.queue.splice(0, this.maxGroup);
        try {
          const results = await this.write(group.map((g) => g.item));
          group.forEach((g, i) => g.resolve(results[i]));
        } catch (e) {
          group.forEach((g) => g.reject(e));
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
