#!/usr/bin/env bash
# Builds the web app and docs, writes config.json from the deployed stack's Outputs, syncs
# the site to SiteBucket and invalidates the CloudFront distribution.
# Usage: npm run deploy:web -- [stack-name] (default: myapp; region from AWS_REGION or the CLI profile)
set -euo pipefail

STACK="${1:-${STACK_NAME:-myapp}}"
cd "$(dirname "$0")/.."

output() {
  aws cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue | [0]" --output text
}

API_URL="$(output APIEndpoint)"
USER_POOL="$(output UserPool)"
CLIENT_ID="$(output UserPoolClient)"
BUCKET="$(output SiteBucketName)"
DISTRIBUTION="$(output WebDistributionId)"
WEB_URL="$(output WebURL)"
HOSTED_UI_URL="$(output CognitoHostedUIURL)"
REGION="$(aws configure get region || true)"
REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-${REGION:-us-east-1}}}"

for v in API_URL USER_POOL CLIENT_ID BUCKET DISTRIBUTION HOSTED_UI_URL; do
  if [ -z "${!v}" ] || [ "${!v}" = "None" ]; then
    echo "deploy-web: stack $STACK has no output for $v; deploy the stack first (sam deploy)" >&2
    exit 1
  fi
done

API_URL="$API_URL" npm run web:build

# The app reads this at run time, so one build serves every stack.
cat > web/dist/config.json <<JSON
{
  "apiUrl": "${API_URL%/}",
  "region": "$REGION",
  "userPoolId": "$USER_POOL",
  "clientId": "$CLIENT_ID",
  "cognitoEndpoint": "https://cognito-idp.$REGION.amazonaws.com",
  "hostedUiUrl": "$HOSTED_UI_URL"
}
JSON

# Hashed assets are immutable; HTML, config and the docs initializer are revalidated.
aws s3 sync web/dist/app/assets "s3://$BUCKET/app/assets" --delete --cache-control "public, max-age=31536000, immutable"
aws s3 sync web/dist "s3://$BUCKET" --delete --exclude "app/assets/*" --cache-control "no-cache"

INVALIDATION="$(aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION" --paths '/*' --query Invalidation.Id --output text)"
echo "deploy-web: uploaded to s3://$BUCKET, invalidation $INVALIDATION started"
echo "deploy-web: web app $WEB_URL  docs ${WEB_URL%/app/}/docs/"
