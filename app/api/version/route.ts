import packageJson from '@/package.json';

// What is running: for deploy checks and monitoring. Cheap on purpose, so it also serves as the
// benchmark route for middleware overhead.
export function GET() {
  return Response.json({ name: packageJson.name, version: packageJson.version });
}
