/** EMF lines become a readable metric line; other lines pass through unchanged. */
import { formatLogLine } from '.';

it('formats Powertools EMF output', () => {
  const emf = JSON.stringify({
    _aws: {
      Timestamp: 1,
      CloudWatchMetrics: [
        {
          Namespace: 'n',
          Dimensions: [['service']],
          Metrics: [
            { Name: 'SuccessfulOrder', Unit: 'Count' },
            { Name: 'OrderTotal', Unit: 'None' },
          ],
        },
      ],
    },
    service: 's',
    SuccessfulOrder: 1,
    OrderTotal: 2500,
  });
  expect(formatLogLine(emf)).toBe('metric SuccessfulOrder=1 Count; metric OrderTotal=2500 None');
});

it('leaves ordinary JSON logs and text alone', () => {
  const log = JSON.stringify({ level: 'INFO', message: 'hello _aws' });
  expect(formatLogLine(log)).toBe(log);
  expect(formatLogLine('plain')).toBe('plain');
  expect(formatLogLine('{"_aws": broken')).toBe('{"_aws": broken');
});
