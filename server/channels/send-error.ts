/** A send that did not reach the contact; the executor retries the step when `retriable`. */
export class ChannelSendError extends Error {
  name = "ChannelSendError";
  constructor(
    message: string,
    /** Worth retrying later: throttling, the provider's 5xx, a network failure. */
    readonly retriable: boolean,
    readonly code?: number,
  ) {
    super(message);
  }
}
