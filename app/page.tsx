const flows = [
  { href: '/auth/signup', title: 'Sign up', description: 'Create an account; we email you a link to verify it.' },
  { href: '/auth/login', title: 'Log in', description: 'Welcome back.' },
  { href: '/auth/forgot-password', title: 'Forgot password', description: 'Get a reset link by email.' },
  { href: '/files', title: 'Your files', description: 'Upload straight to storage, download any time.' },
  { href: '/account', title: 'Account', description: 'Change your password, sign out everywhere.' },
  { href: '/api/health', title: 'Service health', description: 'Redis, storage, database and email, live.' },
];

export default function HomePage() {
  return (
    <>
      <section className="hero">
        <h1>zigznote</h1>
        <p>Notes, audio and files on a stack you host yourself: Postgres, Redis, MinIO and SES.</p>
      </section>
      <nav aria-label="Get started">
        <ul className="links">
          {flows.map((flow) => (
            <li key={flow.href}>
              <a href={flow.href}>
                <strong>{flow.title}</strong>
                <span>{flow.description}</span>
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </>
  );
}
