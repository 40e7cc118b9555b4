import MailComposer from 'nodemailer/lib/mail-composer';

/**
 * The journal copy TDC sends: a new message to the intake address that carries the original,
 * exactly as it is delivered (X-IronPort-RemoteIP included), as a message/rfc822 attachment.
 */
export function buildJournal(opts: { hostname: string; intakeAddress: string; originalMid: number; journalMid: number; original: Buffer; subject: string; messageId: string }): Promise<Buffer> {
  const composer = new MailComposer({
    from: `"Threat Defense Connector" <tdc@${opts.hostname}>`,
    to: opts.intakeAddress,
    subject: opts.subject,
    messageId: `<tdc.${opts.journalMid}.${opts.originalMid}@${opts.hostname}>`,
    headers: { 'X-IronPort-MID': String(opts.originalMid), 'X-IronPort-Journal': 'TDC', 'X-Original-Message-ID': opts.messageId },
    text: `Journaled message MID ${opts.originalMid} (${opts.messageId}) from ${opts.hostname}.\n`,
    // message/rfc822 must not be base64 (RFC 2046 5.2.1): the original travels as it is
    attachments: [{ filename: 'original.eml', content: opts.original, contentType: 'message/rfc822', contentDisposition: 'attachment', contentTransferEncoding: '8bit' }],
  });
  return new Promise((resolve, reject) => composer.compile().build((err: Error | null, message: Buffer) => (err ? reject(err) : resolve(message))));
}
