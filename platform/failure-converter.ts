// Loaded by path (DataConverter.failureConverterPath) in the clients and inside the workflow sandbox,
// so it imports nothing but the SDK. A failure's message and stack trace go into its encoded
// attributes, a payload the codec (platform/payload-codec.ts) encrypts: an error may name a person
// ("no account for ana@…"), and the server's history would otherwise keep it in plain text.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
