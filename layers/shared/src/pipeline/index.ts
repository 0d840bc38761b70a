export * from './errors';
export * from './payment';
export * from './tasks';
export * from './stream-events';
export * from './deps';
export * from './start';
