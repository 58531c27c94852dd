"""The analytics questions' queries: bulk reads of facts, shaped for the domain's arithmetic."""
