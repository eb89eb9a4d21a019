"""The coach: a grounded Verdict -> Fix -> Fix -> Drill from a ShotReport, streamed — from a
vision-language model behind an OpenAI-compatible server (`coach=openai`) or from the rule-based
coach that needs no model (`coach=rules`, the default). The measured facts are handed over as
settled and a guard cuts any streamed sentence that contradicts them."""
from kicky.coach.coaching import Coaching, default_conf, markdown, stream

__all__ = ["Coaching", "default_conf", "markdown", "stream"]
