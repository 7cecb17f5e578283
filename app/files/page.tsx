import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getCurrentSession } from '@/lib/auth';
import { fileListing } from './file-listing';
import { FileManager } from './file-manager';

export const metadata: Metadata = { title: 'Your files · zigznote' };
export const dynamic = 'force-dynamic';

export default async function FilesPage() {
  const session = await getCurrentSession();
  if (!session) redirect('/auth/login');
  const { files, usage } = await fileListing(session.userId);
  return (
    <section>
      <h1>Your files</h1>
      <FileManager initialFiles={files} initialUsage={usage} />
    </section>
  );
}
