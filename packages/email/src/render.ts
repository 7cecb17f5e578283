/**
 * Renders a react-email template once to HTML and derives the text part from that HTML, so both parts
 * always say the same. Node-only: the renderer crashes inside Edge-runtime routes.
 */
import { render, toPlainText } from '@react-email/render';
import type { ReactElement } from 'react';

export async function renderEmail(element: ReactElement): Promise<{ html: string; text: string }> {
  const html = await render(element);
  return { html, text: toPlainText(html) };
}
