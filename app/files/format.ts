// How the file pages write sizes and waits.

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** What is left of an upload at its current speed, in words. */
export function timeLeft(totalBytes: number, loadedBytes: number, bytesPerSecond: number): string {
  if (bytesPerSecond <= 0) return 'estimating…';
  const seconds = Math.ceil((totalBytes - loadedBytes) / bytesPerSecond);
  return seconds < 60 ? `${seconds} s left` : `${Math.ceil(seconds / 60)} min left`;
}
