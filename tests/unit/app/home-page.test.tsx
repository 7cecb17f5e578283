// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import HomePage from '@/app/page';

describe('home page', () => {
  it('links to every flow', () => {
    render(<HomePage />);
    const nav = screen.getByRole('navigation', { name: 'Get started' });
    const targets = Array.from(nav.querySelectorAll('a')).map((a) => a.getAttribute('href'));
    expect(targets).toEqual([
      '/auth/signup',
      '/auth/login',
      '/auth/forgot-password',
      '/files',
      '/account',
      '/api/health',
    ]);
    expect(screen.getByRole('heading', { level: 1, name: 'zigznote' })).toBeInTheDocument();
  });
});
