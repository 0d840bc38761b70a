#!/usr/bin/env bash
# Exports one table of a deployed stack to S3 from its point-in-time-recovery state
# (DynamoDB ExportTableToPointInTime), into the stack's ExportsBucket, and waits for it.
#
#   scripts/export-table.sh <stack-name> <TableLogicalId> [ISO-8601 time]
#   scripts/export-table.sh myapp OrdersTable
#   scripts/export-table.sh myapp OrdersTable 2026-11-20T09:00:00Z
#
# Without a time the export is of the latest restorable state. Needs the AWS CLI v2.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
stack=$1 logical=$2 at=${3:-}

table=$(aws cloudformation describe-stack-resource --stack-name "$stack" --logical-resource-id "$logical" \
  --query StackResourceDetail.PhysicalResourceId --output text)
bucket=$(aws cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Outputs[?OutputKey=='ExportsBucketName'].OutputValue" --output text)
table_arn=$(aws dynamodb describe-table --table-name "$table" --query Table.TableArn --output text)

args=(--table-arn "$table_arn" --s3-bucket "$bucket" --s3-prefix "exports/$logical" --export-format DYNAMODB_JSON)
[ -n "$at" ] && args+=(--export-time "$at")

export_arn=$(aws dynamodb export-table-to-point-in-time "${args[@]}" --query ExportDescription.ExportArn --output text)
echo "export started: $export_arn"

for _ in $(seq 1 360); do   # up to an hour, every 10 s
  status=$(aws dynamodb describe-export --export-arn "$export_arn" --query ExportDescription.ExportStatus --output text)
  case "$status" in
    COMPLETED) echo "export completed: s3://$bucket/exports/$logical/"; exit 0 ;;
    FAILED) aws dynamodb describe-export --export-arn "$export_arn" --query ExportDescription.FailureMessage --output text >&2; exit 1 ;;
  esac
  sleep 10
done
echo "export still $status after an hour: $export_arn" >&2
exit 1
