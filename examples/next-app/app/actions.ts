'use server';

import { updateTag } from 'next/cache';

export async function invalidateClock(): Promise<void> {
  updateTag('clock');
}
