import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getCurrentSession } from '@/lib/auth/server';
import { getStorageDeps, listFiles, storageUsage } from '@/lib/storage';
import { FileManager } from './upload-list';

export const metadata: Metadata = { title: 'Your files · zigznote' };
export const dynamic = 'force-dynamic';

export default async function FilesPage() {
  const session = await getCurrentSession();
  if (!session) redirect('/auth/login');
  const deps = await getStorageDeps();
  const [files, usage] = await Promise.all([listFiles(deps, session.userId), storageUsage(deps.db, session.userId, deps.quotaBytes)]);
  return (
    <section>
      <h1>Your files</h1>
      <FileManager initialFiles={files} initialUsage={usage} />
    </section>
  );
}
