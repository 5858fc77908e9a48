/**
 * Whether the server is on its way out. A stop signal sets it first: /readyz answers 503 from then
 * on, so a load balancer that checks it stops routing here, and every answer asks its client to
 * close the connection, so a proxy's pooled connections to this instance run out, while the
 * server still accepts and serves until it closes its listener.
 */
export class Lifecycle {
  private stopping = false

  get draining(): boolean {
    return this.stopping
  }

  drain(): void {
    this.stopping = true
  }
}
