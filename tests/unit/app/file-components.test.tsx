// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileTable } from '@/app/files/file-table';
import { formatBytes, timeLeft } from '@/app/files/format';
import { UploadRow } from '@/app/files/upload-row';
import type { UploadItem } from '@/app/files/use-upload';

afterEach(cleanup);

const file = (name: string, size: number) => new File([new Uint8Array(size)], name, { type: 'audio/mpeg' });
const item = (patch: Partial<UploadItem>): UploadItem => ({
  key: 'k',
  file: file('song.mp3', 4_000_000),
  bucket: 'audio',
  status: 'uploading',
  loaded: 1_000_000,
  bytesPerSecond: 500_000,
  ...patch,
});

describe('sizes and waits in words', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [3 * 1024 * 1024 + 123, '3.0 MB'],
    [10 * 1024 ** 3, '10 GB'],
  ])('%d bytes is %s', (bytes, words) => expect(formatBytes(bytes)).toBe(words));

  it('says how long is left, or that it is still estimating', () => {
    expect(timeLeft(4_000_000, 1_000_000, 0)).toBe('estimating…');
    expect(timeLeft(4_000_000, 1_000_000, 500_000)).toBe('6 s left');
    expect(timeLeft(400_000_000, 0, 1_000_000)).toBe('7 min left');
  });
});

describe('an upload row', () => {
  it('shows progress, speed and time left while uploading, and cancels', () => {
    const onCancel = vi.fn();
    render(<UploadRow item={item({})} onCancel={onCancel} onRetry={() => {}} />);
    expect(screen.getByRole('progressbar', { name: 'Upload of song.mp3' })).toHaveAttribute('value', '25');
    expect(screen.getByText('25% · 488 KB/s · 6 s left')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it('announces an error and offers a retry', () => {
    const onRetry = vi.fn();
    render(
      <UploadRow
        item={item({ status: 'error', error: 'Storage refused the file.' })}
        onCancel={() => {}}
        onRetry={onRetry}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Storage refused the file.');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledOnce();
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });
});

describe('the file table', () => {
  it('says so when there is nothing, and otherwise lists each file with its actions', () => {
    const { rerender } = render(<FileTable files={[]} onDownload={() => {}} onDelete={() => {}} />);
    expect(screen.getByText('No files yet.')).toBeInTheDocument();
    const onDelete = vi.fn();
    const stored = {
      id: 'f1',
      name: 'voice.mp3',
      size: 2048,
      contentType: 'audio/mpeg',
      bucket: 'audio',
      createdAt: '2026-11-28T00:00:00Z',
    };
    rerender(<FileTable files={[stored]} onDownload={() => {}} onDelete={onDelete} />);
    const row = screen.getByRole('row', { name: /voice\.mp3/ });
    expect(within(row).getByText('2.0 KB')).toBeInTheDocument();
    fireEvent.click(within(row).getByRole('button', { name: 'Delete voice.mp3' }));
    expect(onDelete).toHaveBeenCalledWith(stored);
  });
});
