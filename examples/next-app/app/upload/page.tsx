import { Uploader } from './uploader';

export default function UploadPage() {
  return (
    <main>
      <h1>Upload</h1>
      <Uploader />
    </main>
  );
}
