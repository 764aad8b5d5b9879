/** A throwaway database server started for the test run. */
export interface TestServer {
  /** Admin connection URL (a superuser on loopback). */
  readonly url: string;
  stop(): Promise<void>;
}
