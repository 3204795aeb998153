"""The GraphQL documents the client sends (schema.graphql is the contract they follow)."""

from __future__ import annotations

MESSAGE_FIELDS = """
fragment MessageFields on Message {
  id roomId author { id username } text language
  sentiment { label positive negative neutral mixed }
  moderation tags translations { language text } translationStatus untranslatedLanguages
  points createdAt editedAt clientId _version _lastChangedAt _deleted
}
"""

ROOM_FIELDS = """
fragment RoomFields on Room {
  id name description visibility owner { id username } negativityThreshold requireSentiment
  languages memberCount createdAt
}
"""

POST_RESULT = """
  status
  message { ...MessageFields }
  rejection {
    reason message hint hintLanguage language threshold
    sentiment { label positive negative neutral mixed }
  }
"""

ME = "query Me { me { id username preferredLanguage points rejectedCount } }"

ROOMS = ROOM_FIELDS + """
query Rooms($scope: RoomScope, $limit: Int, $nextToken: String) {
  rooms(scope: $scope, limit: $limit, nextToken: $nextToken) { items { ...RoomFields } nextToken }
}"""

ROOM = ROOM_FIELDS + "query Room($id: ID!) { room(id: $id) { ...RoomFields } }"

CREATE_ROOM = ROOM_FIELDS + """
mutation CreateRoom($input: CreateRoomInput!) { createRoom(input: $input) { ...RoomFields } }"""

MEMBERSHIP = "roomId user { id username } role language joinedAt"

JOIN_ROOM = f"""
mutation JoinRoom($roomId: ID!, $language: String) {{
  joinRoom(roomId: $roomId, language: $language) {{ {MEMBERSHIP} }}
}}"""

LEAVE_ROOM = f"mutation LeaveRoom($roomId: ID!) {{ leaveRoom(roomId: $roomId) {{ {MEMBERSHIP} }} }}"

UPDATE_PROFILE = """
mutation UpdateProfile($input: UpdateProfileInput!) {
  updateProfile(input: $input) { id username preferredLanguage points rejectedCount }
}"""

MESSAGES = MESSAGE_FIELDS + """
query Messages($roomId: ID!, $limit: Int, $nextToken: String) {
  messages(roomId: $roomId, limit: $limit, nextToken: $nextToken) {
    items { ...MessageFields } nextToken
  }
}"""

POST_MESSAGE = MESSAGE_FIELDS + f"""
mutation PostMessage($input: PostMessageInput!) {{
  postMessage(input: $input) {{ {POST_RESULT} }}
}}"""

EDIT_MESSAGE = MESSAGE_FIELDS + f"""
mutation EditMessage($input: EditMessageInput!) {{
  editMessage(input: $input) {{ {POST_RESULT} }}
}}"""

DELETE_MESSAGE = MESSAGE_FIELDS + """
mutation DeleteMessage($input: DeleteMessageInput!) {
  deleteMessage(input: $input) { ...MessageFields }
}"""

TAG_CLOUD = """
query TagCloud($roomId: ID!, $limit: Int) {
  tagCloud(roomId: $roomId, limit: $limit) { roomId tags { tag count } updatedAt }
}"""

MESSAGES_BY_TAG = MESSAGE_FIELDS + """
query MessagesByTag($tag: String!, $roomId: ID, $from: AWSDateTime, $to: AWSDateTime,
                    $limit: Int, $nextToken: String) {
  messagesByTag(tag: $tag, roomId: $roomId, from: $from, to: $to, limit: $limit,
                nextToken: $nextToken) {
    items { ...MessageFields } nextToken
  }
}"""

TAG_TRENDS = """
query TagTrends($tag: String!, $roomId: ID, $granularity: Granularity!, $from: AWSDateTime!,
                $to: AWSDateTime!) {
  tagTrends(tag: $tag, roomId: $roomId, granularity: $granularity, from: $from, to: $to) {
    tag roomId granularity from to buckets { start count } total
  }
}"""

TOP_TAGS = """
query TopTags($roomId: ID, $from: AWSDateTime!, $to: AWSDateTime!, $limit: Int) {
  topTags(roomId: $roomId, from: $from, to: $to, limit: $limit) { tag count }
}"""

ROOM_STATS = """
query RoomStats($roomId: ID!, $from: AWSDateTime!, $to: AWSDateTime!) {
  roomStats(roomId: $roomId, from: $from, to: $to) {
    roomId from to accepted rejected deleted
    sentiment { positive negative neutral mixed unscored }
    activeAuthors
  }
}"""

SYNC_MESSAGES = MESSAGE_FIELDS + """
query SyncMessages($roomId: ID!, $lastSync: AWSTimestamp, $limit: Int, $nextToken: String) {
  syncMessages(roomId: $roomId, lastSync: $lastSync, limit: $limit, nextToken: $nextToken) {
    items { ...MessageFields } nextToken startedAt
  }
}"""

LEADERBOARD = """
query Leaderboard($roomId: ID!, $limit: Int) {
  leaderboard(roomId: $roomId, limit: $limit) {
    roomId entries { rank user { id username } points }
  }
}"""

ON_MESSAGE = MESSAGE_FIELDS + """
subscription OnMessage($roomId: ID!) { onMessage(roomId: $roomId) { ...MessageFields } }"""

ON_TAG_CLOUD = """
subscription OnTagCloud($roomId: ID!) {
  onTagCloud(roomId: $roomId) { roomId tags { tag count } updatedAt }
}"""
