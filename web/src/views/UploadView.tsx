import { useState, type FormEvent } from 'react';
import { describeError, putWithProgress, type ApiClient } from '../api';
import type { UploadTicket } from '../types';
import { Alert } from '../ui';

const MAX_BYTES = 10 * 1024 * 1024;
const ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/csv';

export function UploadView({ api }: { api: ApiClient }) {
  const [file, setFile] = useState<File>();
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState('');
  const [done, setDone] = useState<string[]>([]);

  const upload = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError('');
    // Checked here for a quick answer; the API enforces the same limits.
    if (file.size > MAX_BYTES) return setError('That file is larger than 10 MiB.');
    if (!ACCEPT.split(',').includes(file.type)) return setError('Only images, PDF, plain text and CSV files can be uploaded.');
    try {
      setProgress(0);
      const ticket = await api.request<UploadTicket>('POST', '/uploads', { fileName: file.name, contentType: file.type, size: file.size });
      await putWithProgress(ticket.uploadUrl, file, ticket.headers ?? { 'Content-Type': file.type }, setProgress);
      setDone((d) => [`${file.name} (${(file.size / 1024).toFixed(1)} KiB)`, ...d]);
      setFile(undefined);
      (e.target as HTMLFormElement).reset();
    } catch (err) {
      setError(describeError(err));
      setProgress(undefined);
    }
  };

  const pct = progress === undefined ? undefined : Math.round(progress * 100);
  return (
    <section aria-labelledby="uploads-title" className="narrow">
      <h1 id="uploads-title">Uploads</h1>
      <p className="muted">Images, PDF, text or CSV, up to 10 MiB. Files are stored privately under your account.</p>
      <Alert>{error}</Alert>
      <form className="card" onSubmit={(e) => void upload(e)}>
        <label>
          File
          <input
            type="file"
            name="file"
            accept={ACCEPT}
            required
            onChange={(e) => {
              setFile(e.target.files?.[0]);
              setProgress(undefined);
            }}
          />
        </label>
        {pct !== undefined && (
          <div className="progress-wrap">
            <progress max={100} value={pct} aria-label="Upload progress">
              {pct}%
            </progress>
            <span aria-live="polite" data-testid="upload-percent">
              {pct}%
            </span>
          </div>
        )}
        <button className="btn btn-primary" disabled={!file || (pct !== undefined && pct < 100 && !error)}>
          Upload
        </button>
      </form>
      {done.length > 0 && (
        <>
          <h2>Uploaded</h2>
          <ul className="list">
            {done.map((d, i) => (
              <li key={i} className="card row">
                <span className="ok" aria-hidden>
                  ✓
                </span>{' '}
                <span data-testid="uploaded-file">{d}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
