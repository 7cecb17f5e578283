import type { StorageUsage } from '@/lib/storage/client';
import { formatBytes } from './format';

export type { StorageUsage };

export function UsageBar({ usage }: { usage: StorageUsage }) {
  const percent = usage.quotaBytes > 0 ? Math.min(100, Math.round((usage.usedBytes / usage.quotaBytes) * 100)) : 0;
  return (
    <div className="usage">
      <progress max={100} value={percent} aria-label="Storage used">
        {percent}%
      </progress>
      <span data-testid="usage">
        {formatBytes(usage.usedBytes)} of {formatBytes(usage.quotaBytes)} used ({percent}%)
      </span>
    </div>
  );
}
