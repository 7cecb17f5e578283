// A react-email template needs no more than React: @zigznote/email renders it, and derives the text part.
export function WelcomeEmail({ name }: { name: string }) {
  return (
    <html lang="en">
      <body>
        <h1>{`Welcome, ${name}`}</h1>
        <p>
          Your example account is ready: <a href="http://127.0.0.1:3400/">open it</a>.
        </p>
      </body>
    </html>
  );
}
