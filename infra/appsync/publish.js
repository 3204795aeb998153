// Resolver of the IAM-only publish mutations (Mutation.publishMessage, publishTagCloud,
// publishRoom) on the NONE data source "PublishEcho".
//
// The stream publisher calls these mutations with SigV4; the resolver just echoes the
// arguments, and AppSync pushes the result - shaped by the publisher's selection set - to
// the @aws_subscribe subscribers. Each argument is a top-level field of the payload, so
// subscription argument filters (onMessage(roomId)) compare against it.
// Nothing is stored and nothing is logged here.

/**
 * @param {import('@aws-appsync/utils').Context} ctx
 */
export function request(ctx) {
  return { payload: ctx.args };
}

/**
 * @param {import('@aws-appsync/utils').Context} ctx
 */
export function response(ctx) {
  return ctx.result;
}
