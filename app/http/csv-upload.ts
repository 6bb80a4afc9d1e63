import { finished } from 'node:stream/promises';
import { TextDecoder } from 'node:util';
import type { Request } from 'express';
import { AppError } from '../domain/app-error.ts';
import { MAX_BATCH_CPFS } from '../domain/cpf-list-parser.ts';

export const CSV_TYPES = ['text/csv', 'text/plain', 'application/csv', 'text/comma-separated-values'];

/**
 * Bytes one line of a batch CSV may take on average: cpf;nome;nascimento;telefone;email;sexo with a
 * long name and e-mail is about 150. The body limit follows from the row limit instead of being a
 * round number: a header plus MAX_BATCH_CPFS such lines, about 2.5 MB.
 */
export const CSV_LINE_BYTES = 256;
export const BATCH_CSV_MAX_BYTES = (MAX_BATCH_CPFS + 1) * CSV_LINE_BYTES;

function tooLarge(maxBytes: number): AppError {
  return new AppError(
    'payload_too_large',
    `the CSV is larger than ${maxBytes} bytes (room for ${MAX_BATCH_CPFS} lines): split it into smaller batches`,
    { fields: [{ field: 'body', reason: `is larger than ${maxBytes} bytes` }] },
  );
}

/** Reads off what is left of a request we stopped reading, so the client gets our answer. */
async function drain(req: Request): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  req.resume();
  await finished(req).catch(() => undefined);
}

/**
 * Hands `use` the text of a CSV upload as it arrives (decoded by the declared charset, UTF-8 by
 * default, BOM dropped), never more than `maxBytes` of it. Whatever `use` does not read (it stops
 * at the row limit) is read off and discarded before the answer, as body-parser does with a body
 * that is too large. Nothing of the body is buffered here.
 */
export async function withCsvUpload<T>(
  req: Request,
  maxBytes: number,
  use: (text: AsyncIterable<string>) => Promise<T>,
): Promise<T> {
  try {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      throw new AppError(
        'unsupported_media_type',
        `send the CSV uncompressed (Content-Encoding ${encoding})`,
      );
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
    const charset = /;\s*charset=([^;\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1] ?? 'utf-8';
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(charset.replace(/"/g, ''));
    } catch {
      throw new AppError('unsupported_media_type', `unsupported charset ${charset}: send the CSV as UTF-8`);
    }
    async function* text(): AsyncGenerator<string> {
      let total = 0;
      // destroyOnReturn false: stopping early must leave the socket to answer on.
      for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > maxBytes) throw tooLarge(maxBytes);
        yield decoder.decode(chunk, { stream: true });
      }
      const tail = decoder.decode();
      if (tail !== '') yield tail;
    }
    return await use(text());
  } finally {
    await drain(req);
  }
}
