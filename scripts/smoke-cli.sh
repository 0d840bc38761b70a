#!/usr/bin/env bash
# What a seed's own scripts check with the AWS CLI, against one stack: a deployed one (the
# shell's AWS credentials and region) or `npm start` (after `eval "$(npm run -s aws-env)"`).
# Everything comes from the stack's CloudFormation outputs and resources; it makes a Cognito
# user (deleted at the end), places an order and follows it to CONFIRMED through DynamoDB,
# Step Functions and CloudWatch Logs.
#
#   scripts/smoke-cli.sh [stack-name]        (default: samconfig.toml's stack_name)
#
# Needs the AWS CLI (v1 or v2), curl and node. Prints one "ok" line per check; stops at the
# first that fails.
set -euo pipefail

stack=${1:-$(sed -n 's/^stack_name *= *"\(.*\)"/\1/p' "$(dirname "$0")/../samconfig.toml" | head -1)}
ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*" >&2; exit 1; }
output() { aws cloudformation describe-stacks --stack-name "$stack" --query "Stacks[0].Outputs[?OutputKey==\`$1\`].OutputValue" --output text; }
resource() { aws cloudformation describe-stack-resource --stack-name "$stack" --logical-resource-id "$1" --query StackResourceDetail.PhysicalResourceId --output text; }
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];process.stdout.write(v===undefined?"":String(v))})' "$1"; }

# CloudFormation: outputs and resources.
pool=$(output UserPool)
client=$(output UserPoolClient)
api=$(output APIEndpoint)
[ -n "$pool" ] && [ -n "$client" ] && [ -n "$api" ] || fail "stack $stack has no UserPool / UserPoolClient / APIEndpoint outputs"
ok "describe-stacks: UserPool=$pool UserPoolClient=$client APIEndpoint=$api"
functions=$(aws cloudformation describe-stack-resources --stack-name "$stack" \
  --query 'length(StackResources[?ResourceType==`AWS::Lambda::Function`])' --output text)
[ "$functions" -gt 0 ] || fail "describe-stack-resources lists no AWS::Lambda::Function"
ok "describe-stack-resources: $functions functions among the first 100 resources"
create_order_fn=$(resource CreateOrderFunction)
ok "describe-stack-resource CreateOrderFunction: $create_order_fn"

# Cognito: a user of our own, signed in with USER_PASSWORD_AUTH.
email="smoke-$(date +%s)-$RANDOM@example.com"
password="Smoke-$RANDOM-Passw0rd"
aws cognito-idp admin-create-user --user-pool-id "$pool" --username "$email" --message-action SUPPRESS \
  --user-attributes Name=email,Value="$email" Name=email_verified,Value=true > /dev/null
trap 'aws cognito-idp admin-delete-user --user-pool-id "$pool" --username "$email" > /dev/null 2>&1 || true' EXIT
aws cognito-idp admin-set-user-password --user-pool-id "$pool" --username "$email" --password "$password" --permanent
token=$(aws cognito-idp initiate-auth --client-id "$client" --auth-flow USER_PASSWORD_AUTH \
  --auth-parameters USERNAME="$email",PASSWORD="$password" --query AuthenticationResult.IdToken --output text)
[ "${#token}" -gt 100 ] || fail "initiate-auth gave no ID token"
ok "cognito-idp admin-create-user, admin-set-user-password, initiate-auth: $email"

# The API: an order, followed to CONFIRMED.
code=$(curl -s -o /dev/null -w '%{http_code}' "$api/orders")
[ "$code" = 401 ] || fail "GET /orders without a token answered $code, not 401"
ok "GET /orders without a token: 401"
sku=$(curl -sf "$api/products" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).items.find(p=>p.stock>0).sku))')
order=$(curl -sf -X POST "$api/orders" -H "authorization: $token" -H 'content-type: application/json' \
  -d "{\"items\":[{\"sku\":\"$sku\",\"qty\":1}],\"paymentToken\":\"tok_visa\"}" | json orderId)
[ -n "$order" ] || fail "POST /orders gave no orderId"
ok "POST /orders: $order"
for _ in $(seq 1 120); do
  status=$(curl -sf "$api/orders/$order" -H "authorization: $token" | json status)
  [ "$status" = CONFIRMED ] || [ "$status" = FAILED ] && break
  sleep 1
done
[ "$status" = CONFIRMED ] || fail "order $order is $status, not CONFIRMED"
ok "GET /orders/$order: CONFIRMED"

# DynamoDB, Step Functions, SQS: the order's traces in each.
table=$(output OrdersTableName)
count=$(aws dynamodb scan --table-name "$table" --filter-expression 'orderId = :o' \
  --expression-attribute-values "{\":o\":{\"S\":\"$order\"}}" --query Count --output text)
[ "$count" = 1 ] || fail "dynamodb scan of $table found $count items for $order"
ok "dynamodb scan $table: the order is there"
execution=$(aws stepfunctions list-executions --state-machine-arn "$(output OrderWorkflowArn)" \
  --query "executions[?contains(name, '$order')].status | [0]" --output text)
[ "$execution" = SUCCEEDED ] || fail "stepfunctions list-executions: the order's execution is $execution"
ok "stepfunctions list-executions: $execution"
# AWS CLI v1 ignores AWS_ENDPOINT_URL_SQS in us-east-1 (aws/aws-cli#8737): pass it when set.
aws sqs get-queue-attributes ${AWS_ENDPOINT_URL_SQS:+--endpoint-url "$AWS_ENDPOINT_URL_SQS"} --queue-url "$(output OrderDLQUrl)" \
  --attribute-names ApproximateNumberOfMessages > /dev/null
ok "sqs get-queue-attributes: the order DLQ answers"

# CloudWatch Logs: the function's log group, and its lines about this order.
group="/aws/lambda/$create_order_fn"
found=$(aws logs describe-log-groups --log-group-name-prefix "$group" --query "length(logGroups[?logGroupName=='$group'])" --output text)
[ "$found" = 1 ] || fail "describe-log-groups has no $group"
ok "logs describe-log-groups: $group"
lines=0
for _ in $(seq 1 30); do # deployed, log events arrive within seconds
  lines=$(aws logs filter-log-events --log-group-name "$group" --filter-pattern "\"$order\"" --query 'length(events)' --output text)
  [ "$lines" -gt 0 ] && break
  sleep 2
done
[ "$lines" -gt 0 ] || fail "logs filter-log-events found no line with $order in $group"
ok "logs filter-log-events --filter-pattern '\"$order\"': $lines lines"
if aws --version 2>&1 | grep -q '^aws-cli/2'; then
  aws logs tail "$group" --since 10m --filter-pattern "\"$order\"" | grep -q "$order" || fail "logs tail shows no line with $order"
  ok "logs tail $group"
else
  printf 'note %s\n' "aws logs tail needs AWS CLI v2 (this is $(aws --version 2>&1 | cut -d' ' -f1)); filter-log-events above reads the same events"
fi
echo "all checks passed against stack $stack"
