import { AppLink } from '@/app/links/app-link';

export default function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is nothing at this address. It may have moved, or the link may be mistyped.</p>
      <p>
        <AppLink href="/">Go to the home page</AppLink>
      </p>
    </section>
  );
}
