"""Voice: what people say to Assist about the phone system, and what it answers.

The intents themselves are the integration's intent platform (`intent.py`, where Home
Assistant looks for them); this package holds what they share with the built-in agent's
sentences: intent and slot names, finding the person a name means, parsing what was said,
and putting answers into translated words.
"""

INTENT_GET_CALL_STATE = "PbxPresenceGetCallState"
INTENT_LIST_CALLS = "PbxPresenceListCalls"
INTENT_GET_STATUS = "PbxPresenceGetStatus"
INTENT_SET_STATUS = "PbxPresenceSetStatus"
INTENT_RESET_PRESENCE = "PbxPresenceResetPresence"
INTENT_LIST_STATUS = "PbxPresenceListStatus"
INTENT_SET_DND = "PbxPresenceSetDoNotDisturb"
INTENT_SET_FORWARD = "PbxPresenceSetCallForward"

SLOT_NAME = "name"
SLOT_STATE = "state"
SLOT_STATUS = "status"
SLOT_STATUS_NAME = "status_name"
SLOT_NOTE = "note"
SLOT_UNTIL = "until"
SLOT_DURATION = "duration"
SLOT_NUMBER = "number"
SLOT_COUNT = "count"

NAME_DESCRIPTION = (
    "The person as people say it: first name, full name or a phone's name, "
    "as known to the phone system (Flex UC / Kazoo or iSymphony)"
)
