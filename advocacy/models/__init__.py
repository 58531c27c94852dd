"""All tables, imported here so SQLModel.metadata knows every one of them (Alembic reads it)."""

from advocacy.models.accounts import (
    Account,
    AccountCreate,
    AccountPublic,
    AccountTeamMember,
    AccountUpdate,
    StageChange,
)
from advocacy.models.analytics import StoredAnswer
from advocacy.models.audit import AuditEntry
from advocacy.models.awareness import AccountLineAwareness, ContactLineAwareness
from advocacy.models.campaigns import (
    Campaign,
    CampaignCreate,
    CampaignStep,
    CampaignUpdate,
    Enrolment,
    SavedSegment,
    SegmentCreate,
    SegmentCriteria,
    SegmentUpdate,
    StepInput,
    StepRecord,
)
from advocacy.models.catalogue import (
    ServiceLine,
    ServiceLineCreate,
    ServiceLineIndustry,
    ServiceLinePublic,
    ServiceLineUpdate,
)
from advocacy.models.checkins import CalendarFeed, CheckIn
from advocacy.models.content import (
    ContentItem,
    ContentItemCreate,
    ContentItemIndustry,
    ContentItemPublic,
    ContentItemServiceLine,
    ContentItemStage,
    ContentItemUpdate,
)
from advocacy.models.engagements import (
    Engagement,
    EngagementContact,
    EngagementCreate,
    EngagementPublic,
    EngagementServiceLine,
    EngagementUpdate,
)
from advocacy.models.identity import OidcIdentity, User, UserPublic
from advocacy.models.integration import ApiToken, ImportMapping
from advocacy.models.library import Collection, CollectionItem
from advocacy.models.mail import ClientLink, ConsentChange, MailEvent, OutboxMessage, Suppression
from advocacy.models.operations import SchedulerHeartbeat
from advocacy.models.people import (
    Contact,
    ContactCreate,
    ContactPublic,
    ContactRole,
    ContactUpdate,
    Person,
)
from advocacy.models.scoring import ContactScore, ScoreSnapshot
from advocacy.models.touchpoints import (
    JourneySignal,
    Touchpoint,
    TouchpointCreate,
    TouchpointPublic,
)
from advocacy.models.voice import (
    PermissionChange,
    ReferenceCall,
    ReferenceRequest,
    Referral,
    Survey,
    Testimonial,
    TestimonialPermission,
    TestimonialServiceLine,
)
from advocacy.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Account",
    "AccountCreate",
    "AccountLineAwareness",
    "AccountPublic",
    "AccountTeamMember",
    "AccountUpdate",
    "ApiToken",
    "AuditEntry",
    "CalendarFeed",
    "Campaign",
    "CampaignCreate",
    "CampaignStep",
    "CampaignUpdate",
    "CheckIn",
    "ClientLink",
    "Collection",
    "CollectionItem",
    "ConsentChange",
    "Contact",
    "ContactCreate",
    "ContactLineAwareness",
    "ContactPublic",
    "ContactRole",
    "ContactScore",
    "ContactUpdate",
    "ContentItem",
    "ContentItemCreate",
    "ContentItemIndustry",
    "ContentItemPublic",
    "ContentItemServiceLine",
    "ContentItemStage",
    "ContentItemUpdate",
    "Engagement",
    "EngagementContact",
    "EngagementCreate",
    "EngagementPublic",
    "EngagementServiceLine",
    "EngagementUpdate",
    "Enrolment",
    "ImportMapping",
    "JourneySignal",
    "MailEvent",
    "OidcIdentity",
    "OutboxMessage",
    "PermissionChange",
    "Person",
    "ReferenceCall",
    "ReferenceRequest",
    "Referral",
    "SavedSegment",
    "SchedulerHeartbeat",
    "ScoreSnapshot",
    "SegmentCreate",
    "SegmentCriteria",
    "SegmentUpdate",
    "ServiceLine",
    "ServiceLineCreate",
    "ServiceLineIndustry",
    "ServiceLinePublic",
    "ServiceLineUpdate",
    "StageChange",
    "StepInput",
    "StepRecord",
    "StoredAnswer",
    "Suppression",
    "Survey",
    "Testimonial",
    "TestimonialPermission",
    "TestimonialServiceLine",
    "Touchpoint",
    "TouchpointCreate",
    "TouchpointPublic",
    "User",
    "UserPublic",
    "WebhookDelivery",
    "WebhookEndpoint",
]
