// Every GraphQL operation the web UI sends (schema.graphql is the reference).

const MESSAGE = `
  id roomId author { id username } text language
  sentiment { label positive negative neutral mixed } moderation tags
  translations { language text } translationStatus untranslatedLanguages
  points createdAt editedAt clientId _version _lastChangedAt _deleted`;

const ROOM = `id name description visibility owner { id username } languages memberCount createdAt`;

const TAG_CLOUD = `roomId tags { tag count } updatedAt`;

export const ME = `query Me { me { id username preferredLanguage points rejectedCount } }`;

export const ROOMS = `query Rooms($scope: RoomScope, $limit: Int, $nextToken: String) {
  rooms(scope: $scope, limit: $limit, nextToken: $nextToken) { items { ${ROOM} } nextToken } }`;

export const ROOM_QUERY = `query Room($id: ID!) { room(id: $id) { ${ROOM} } }`;

export const CREATE_ROOM = `mutation CreateRoom($input: CreateRoomInput!) { createRoom(input: $input) { ${ROOM} } }`;

export const JOIN_ROOM = `mutation JoinRoom($roomId: ID!, $language: String) {
  joinRoom(roomId: $roomId, language: $language) { roomId role language joinedAt } }`;

export const INVITE = `mutation Invite($roomId: ID!, $username: String!) {
  inviteToRoom(roomId: $roomId, username: $username) { roomId username } }`;

export const MESSAGES = `query Messages($roomId: ID!, $limit: Int, $nextToken: String) {
  messages(roomId: $roomId, limit: $limit, nextToken: $nextToken) { items { ${MESSAGE} } nextToken } }`;

export const SYNC_MESSAGES = `query SyncMessages($roomId: ID!, $lastSync: AWSTimestamp, $limit: Int, $nextToken: String) {
  syncMessages(roomId: $roomId, lastSync: $lastSync, limit: $limit, nextToken: $nextToken) {
    items { ${MESSAGE} } nextToken startedAt } }`;

export const MESSAGES_BY_TAG = `query MessagesByTag($tag: String!, $roomId: ID, $limit: Int, $nextToken: String) {
  messagesByTag(tag: $tag, roomId: $roomId, limit: $limit, nextToken: $nextToken) { items { ${MESSAGE} } nextToken } }`;

export const TAG_CLOUD_QUERY = `query TagCloud($roomId: ID!, $limit: Int) { tagCloud(roomId: $roomId, limit: $limit) { ${TAG_CLOUD} } }`;

export const POST_MESSAGE = `mutation PostMessage($input: PostMessageInput!) {
  postMessage(input: $input) {
    status
    message { ${MESSAGE} }
    rejection { reason message hint hintLanguage language threshold sentiment { label negative } }
  } }`;

export const ON_MESSAGE = `subscription OnMessage($roomId: ID!) { onMessage(roomId: $roomId) { ${MESSAGE} } }`;

export const ON_TAG_CLOUD = `subscription OnTagCloud($roomId: ID!) { onTagCloud(roomId: $roomId) { ${TAG_CLOUD} } }`;

export const ON_ROOM_CREATED = `subscription OnRoomCreated { onRoomCreated { ${ROOM} } }`;

// -- analytics (docs/analytics.md): windows are checked in js/timewindow.js before sending.

export const TOP_TAGS = `query TopTags($roomId: ID, $from: AWSDateTime!, $to: AWSDateTime!, $limit: Int) {
  topTags(roomId: $roomId, from: $from, to: $to, limit: $limit) { tag count } }`;

export const TAG_TRENDS = `query TagTrends($tag: String!, $roomId: ID, $granularity: Granularity!, $from: AWSDateTime!, $to: AWSDateTime!) {
  tagTrends(tag: $tag, roomId: $roomId, granularity: $granularity, from: $from, to: $to) {
    tag roomId granularity from to buckets { start count } total } }`;

export const ROOM_STATS = `query RoomStats($roomId: ID!, $from: AWSDateTime!, $to: AWSDateTime!) {
  roomStats(roomId: $roomId, from: $from, to: $to) {
    roomId from to accepted rejected deleted
    sentiment { positive negative neutral mixed unscored } activeAuthors } }`;
