/** A problem that makes a PDF unreadable; the message is meant for the user. */
export class PdfOpenError extends Error {
  constructor(
    message: string,
    readonly reason: 'encrypted' | 'corrupt' | 'empty',
  ) {
    super(message);
    this.name = 'PdfOpenError';
  }
}
