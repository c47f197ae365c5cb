import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorFromResponse, parseErrorEnvelope, rowErrorsFromDetails } from '../../../../../frontend/src/lib/api/errors.js';

describe('error envelope', () => {
  it('parses the server envelope and ignores anything else', () => {
    expect(parseErrorEnvelope('{"error":{"code":"invalid","message":"bad","details":[1]}}')).toEqual({ code: 'invalid', message: 'bad', details: [1] });
    expect(parseErrorEnvelope('404 Not Found')).toBeNull();
    expect(parseErrorEnvelope('{"error":"x"}')).toBeNull();
  });

  it('builds an ApiError from a response, keeping plain-text bodies', async () => {
    const fromJson = await apiErrorFromResponse(new Response('{"error":{"code":"conflict","message":"stale version"}}', { status: 409 }));
    expect(fromJson).toBeInstanceOf(ApiError);
    expect(fromJson.isConflict).toBe(true);
    expect(fromJson.code).toBe('conflict');
    const fromText = await apiErrorFromResponse(new Response('404 Not Found', { status: 404 }));
    expect(fromText.isNotFound).toBe(true);
    expect(fromText.message).toBe('404 Not Found');
    expect(fromText.code).toBe('http_404');
  });

  it('extracts row errors from details in the shapes the server may use', () => {
    expect(rowErrorsFromDetails([{ row: 3, message: 'x too large', column: 'x' }])).toEqual([{ row: 3, message: 'x too large', column: 'x' }]);
    expect(rowErrorsFromDetails({ rows: [{ line: 2, message: 'bad', field: 'y' }, { nope: 1 }] })).toEqual([{ row: 2, message: 'bad', column: 'y' }]);
    expect(rowErrorsFromDetails('text')).toEqual([]);
  });
});
