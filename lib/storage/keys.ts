/**
 * Object keys are made by the server, never chosen by the client: users/<userId>/<random id>/<name>, the
 * name reduced to safe characters so it cannot climb out of its folder or smuggle control characters.
 * Edge-safe.
 */
export function sanitizeFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}._ -]/gu, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 120);
  return cleaned === '' ? 'file' : cleaned;
}

export function objectKeyFor(userId: string, randomId: string, filename: string): string {
  return `users/${userId}/${randomId}/${sanitizeFilename(filename)}`;
}
