import { CreateUploadRequest, MAX_UPLOAD_BYTES, UPLOAD_CONTENT_TYPES } from './uploads';

const ok = { fileName: 'photo.png', contentType: 'image/png', size: 100 };
const failing = (body: unknown) => {
  const r = CreateUploadRequest.safeParse(body);
  return r.success ? [] : [...new Set(r.error.issues.map((i) => i.path.join('.')))];
};

describe('upload schema', () => {
  it.each(UPLOAD_CONTENT_TYPES.map((t) => [t]))('allows %s', (contentType) => {
    expect(failing({ ...ok, contentType })).toEqual([]);
  });

  it.each(['image/svg+xml', 'text/html', 'application/octet-stream', 'IMAGE/PNG'])('refuses %s, naming contentType', (contentType) => {
    expect(failing({ ...ok, contentType })).toEqual(['contentType']);
  });

  it('limits size to 1 byte .. 10 MiB, integers only', () => {
    expect(failing({ ...ok, size: MAX_UPLOAD_BYTES })).toEqual([]);
    expect(failing({ ...ok, size: MAX_UPLOAD_BYTES + 1 })).toEqual(['size']);
    expect(failing({ ...ok, size: 0 })).toEqual(['size']);
    expect(failing({ ...ok, size: '100' })).toEqual(['size']);
  });

  it.each(['../x.png', 'a/b.png', '.hidden', 'a\\b.png', 'x\u0000.png', 'naïve.png'])('refuses file name %j', (fileName) => {
    expect(failing({ ...ok, fileName })).toEqual(['fileName']);
  });

  it('accepts ordinary names with spaces, dots, dashes', () => {
    expect(failing({ ...ok, fileName: 'Q1 report-final.v2.pdf' })).toEqual([]);
  });
});
