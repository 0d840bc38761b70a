/** The web app's reading of SPEC 4 error details: a 409's object must not break it ("e.details.map is not a function"). */
import { errorDetails } from '../../web/src/errors';

describe('errorDetails', () => {
  it('keeps a 400’s field list', () => {
    expect(errorDetails([{ path: 'items.0.qty', message: 'Too small' }])).toEqual([{ path: 'items.0.qty', message: 'Too small' }]);
  });

  it('turns a 409’s object into one entry per key', () => {
    expect(errorDetails({ currentStatus: 'CONFIRMED', allowed: ['PLACED'] })).toEqual([
      { path: 'currentStatus', message: 'CONFIRMED' },
      { path: 'allowed', message: '["PLACED"]' },
    ]);
  });

  it('reads anything else as no details', () => {
    for (const d of [undefined, null, 'text', 42]) expect(errorDetails(d)).toEqual([]);
    expect(errorDetails(['plain'])).toEqual([{ path: '', message: 'plain' }]);
  });
});
