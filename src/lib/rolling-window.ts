/**
 * At most `requests` in any `ms`, counted by when they were sent: the rolling window an API's rate
 * limit counts. A pacer's evenly spaced slots can bunch when a busy process sends some late and the
 * next on time; counting sends keeps a window from ever holding one too many.
 */
export class RollingWindow {
  private readonly sent: number[] = [];

  constructor(
    private readonly requests: number,
    private readonly ms: number,
  ) {}

  /** 0 when a request may go at `now` (it is then counted as sent), else how long to wait first. */
  take(now: number): number {
    while (this.sent.length > 0 && (this.sent[0] ?? now) <= now - this.ms) this.sent.shift();
    if (this.sent.length < this.requests) {
      this.sent.push(now);
      return 0;
    }
    return (this.sent[0] ?? now) + this.ms - now;
  }
}
