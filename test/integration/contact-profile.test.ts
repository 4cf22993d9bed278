import { describe, expect, it } from 'vitest';
import type { ContactProfile } from '../../lib/ports.js';
import { freshStore } from '../support/store.js';

const profile = (lastLeadAt: string, fields: Partial<ContactProfile>): ContactProfile => ({
  contactId: 'ct_p',
  createdAt: '2026-11-30T10:00:00.000Z',
  updatedAt: '2026-11-30T10:00:00.000Z',
  lastLeadAt,
  leadCount: 1,
  sources: ['form'],
  ...fields,
});

describe('contact profile upserts', () => {
  it('lets the latest lead win each field, an older one only fill gaps, and counts each lead once', async () => {
    const { store } = await freshStore();
    await store.upsertContact(
      profile('2026-11-30T09:00:00.000Z', { company: 'New Co', email: 'a@new.example' }),
      'ld_new',
    );
    await store.upsertContact(
      { ...profile('2026-11-01T09:00:00.000Z', { company: 'Old Co', jobTitle: 'CTO' }), sources: ['meta'] },
      'ld_old',
    );
    await store.upsertContact(
      profile('2026-11-30T09:00:00.000Z', { company: 'New Co', email: 'a@new.example' }),
      'ld_new',
    );
    const view = await store.getContact('ct_p');
    expect(view?.profile).toMatchObject({
      company: 'New Co',
      email: 'a@new.example',
      jobTitle: 'CTO',
      leadCount: 2,
      lastLeadAt: '2026-11-30T09:00:00.000Z',
      sources: ['form', 'meta'],
    });
    // A still newer lead takes over.
    await store.upsertContact(profile('2026-12-01T09:00:00.000Z', { company: 'Newest Co' }), 'ld_newest');
    expect((await store.getContact('ct_p'))?.profile).toMatchObject({ company: 'Newest Co', leadCount: 3 });
  });

  it('keeps an erased profile empty, whatever arrives later', async () => {
    const { store } = await freshStore();
    await store.upsertContact(profile('2026-11-30T09:00:00.000Z', { email: 'a@x.example' }), 'ld_1');
    await store.eraseContact('ct_p', { erasureId: 'er_1', at: '2026-11-30T11:00:00.000Z' });
    await store.upsertContact(
      profile('2026-11-30T12:00:00.000Z', { email: 'a@x.example', company: 'X' }),
      'ld_2',
    );
    const view = await store.getContact('ct_p');
    expect(view?.profile.erasedAt).toBe('2026-11-30T11:00:00.000Z');
    expect(view?.profile.email).toBeUndefined();
    expect(view?.profile.company).toBeUndefined();
    expect(view?.profile.leadCount).toBe(1);
  });
});
