import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { referenceSign } from '../../src/simulator/reference-signature.js';
import { fakePng, multipartBody, sha256 } from '../support/multipart.js';
import { appKey, appSecret, authorize, fakeClock, start, type TokenData } from './support.js';

// Issue #11 item 4: Upload Product Image and Upload Product File, multipart and signed without the body.
const clock = fakeClock();
let sim: RunningSimulator;
let tokens: TokenData;
beforeAll(async () => {
  sim = await start(clock);
  tokens = await authorize(sim, sim.control.builtInSellers.local.openId);
});
afterAll(() => sim.close());

async function upload(path: string, form: { body: Buffer; contentType: string }, options: { query?: Record<string, string>; signBody?: boolean; contentType?: string } = {}) {
  const query = { app_key: appKey, timestamp: String(clock.seconds()), ...options.query };
  const contentType = options.contentType ?? form.contentType;
  const sign = referenceSign({ appSecret, path, query, contentType: options.signBody ? 'application/json' : contentType, ...(options.signBody ? { body: form.body } : {}) });
  const response = await fetch(`${sim.url}${path}?${new URLSearchParams({ ...query, sign })}`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-tts-access-token': tokens.access_token },
    body: form.body,
  });
  return { status: response.status, body: (await response.json()) as { code: number; message: string; data?: Record<string, unknown> } };
}

describe('POST /product/202309/images/upload', () => {
  it('takes the image in the data part, signed without the body, and answers its uri (ending with the bytes’ SHA-256)', async () => {
    const image = fakePng(4096);
    const { status, body } = await upload('/product/202309/images/upload', multipartBody([
      { name: 'data', filename: 'shirt.png', type: 'image/png', content: image },
      { name: 'use_case', content: 'MAIN_IMAGE' },
    ]));
    expect(status).toBe(200);
    expect(body).toMatchObject({ code: 0, data: { uri: `tos-simulator-i/${sha256(image)}`, use_case: 'MAIN_IMAGE', width: 720, height: 720 } });
  });

  it('refuses a signature that covers the body (106001): multipart is signed without it', async () => {
    const { body } = await upload('/product/202309/images/upload', multipartBody([{ name: 'data', filename: 'a.png', content: fakePng(100) }]), { signBody: true });
    expect(body.code).toBe(106001);
  });

  it('refuses a body that is not multipart with 36009023', async () => {
    const { status, body } = await upload('/product/202309/images/upload', { body: Buffer.from('{}'), contentType: 'application/json' }, { signBody: true });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 36009023, message: 'Invalid request format. The value of the `content-type` header must be `multipart/form-data`.' });
  });

  it('refuses a shop_cipher (36009004 "Unexpected identifier")', async () => {
    const cipher = sim.control.builtInSellers.local.shops[0]!.cipher;
    const { body } = await upload('/product/202309/images/upload', multipartBody([{ name: 'data', filename: 'a.png', content: fakePng(100) }]), { query: { shop_cipher: cipher } });
    expect(body).toMatchObject({ code: 36009004, message: 'Unexpected identifier. The shop_cipher query parameter is not required' });
  });

  it('refuses an image over 5 MB with 36009021', async () => {
    const { status, body } = await upload('/product/202309/images/upload', multipartBody([{ name: 'data', filename: 'big.png', content: fakePng(5 * 1024 * 1024 + 1) }]));
    expect(status).toBe(413);
    expect(body.code).toBe(36009021);
  });

  it('refuses a form without the data part with 12038002', async () => {
    const { body } = await upload('/product/202309/images/upload', multipartBody([{ name: 'use_case', content: 'MAIN_IMAGE' }]));
    expect(body).toMatchObject({ code: 12038002, message: 'Invalid upload file. Please ensure you are passing the correct file data.' });
  });
});

describe('POST /product/202309/files/upload', () => {
  it('takes the file and its name, and answers id, url (ending with the SHA-256), name and format', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), fakePng(2048)]);
    const { body } = await upload('/product/202309/files/upload', multipartBody([
      { name: 'data', filename: 'certification.pdf', type: 'application/pdf', content: pdf },
      { name: 'name', content: 'certification.pdf' },
    ]));
    expect(body).toMatchObject({
      code: 0,
      data: { id: `v09${sha256(pdf).slice(0, 29)}`, url: expect.stringMatching(new RegExp(`/tos-simulator-f/${sha256(pdf)}$`)), name: 'certification.pdf', format: 'PDF' },
    });
  });

  it('refuses a file without a name with 12019104', async () => {
    const { body } = await upload('/product/202309/files/upload', multipartBody([{ name: 'data', filename: 'x.pdf', content: 'abc' }]));
    expect(body).toMatchObject({ code: 12019104, message: 'The file name is empty.' });
  });

  it('refuses a file over 20 MB with 36009021', async () => {
    const { status, body } = await upload('/product/202309/files/upload', multipartBody([
      { name: 'data', filename: 'v.mp4', content: Buffer.alloc(20 * 1024 * 1024 + 1) },
      { name: 'name', content: 'v.mp4' },
    ]));
    expect(status).toBe(413);
    expect(body.code).toBe(36009021);
  });
});
