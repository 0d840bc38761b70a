/** @myapp/shared/aws-sdk: the AWS SDK v3 commands of DynamoDB, EventBridge and Step Functions the layer uses, bundled tree-shaken (see aws-sdk.ts). */
export * from '../aws-sdk';
