"""/estimate live | month | diamonds | coins | subs | views | series | brand | affiliate | earnings | withdraw:
the calculator with typed options. Discord's client enforces the ranges; the calculator checks
every value again (`InputError` → a clear ephemeral message)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.feature import Feature
from bot.sender import send_reply

if TYPE_CHECKING:
    from bot.client import LiveTallyBot

BIG = 10**12           # counts (Discord's integers reach 2^53)
MONEY = 10.0**9
PERCENT = app_commands.Range[float, 0.0, 100.0]
PUBLIC = "Post the result in the channel (default: only you see it)"


def pct(value: float | None) -> str | None:
    """A 0–100 option as the calculator's unambiguous percentage text."""
    return None if value is None else f"{value:g}%"


class Estimate(Feature, commands.GroupCog, group_name="estimate", group_description="Estimate earnings, showing the maths"):
    async def _run(self, interaction: discord.Interaction, kind: str, public: bool, **params: Any) -> None:
        # Discord's number options arrive as floats: pass them as text, which the calculator reads exactly.
        given = {k: str(v) if isinstance(v, float) else v for k, v in params.items() if v is not None}
        reply = self.service.estimate(kind, given, interaction.guild_id)
        await send_reply(interaction, reply, ephemeral=not public)
        self.resources.log_question(interaction.guild_id, f"/estimate {kind}", reply.topic, "estimate")

    @app_commands.command(name="live", description="One LIVE stream: viewers and hours (or coins per hour)")
    @app_commands.describe(viewers="Average concurrent viewers", hours="Hours per stream",
                           gifter_share="% of viewers who send gifts", avg_gift="Average gift size in coins",
                           coins_per_hour="Coins of gifts per hour, if you know it", public=PUBLIC)
    async def live(self, interaction: discord.Interaction, hours: app_commands.Range[float, 0.1, 24.0],
                   viewers: app_commands.Range[int, 1, 10**8] | None = None, gifter_share: PERCENT | None = None,
                   avg_gift: app_commands.Range[int, 1, 10**5] | None = None,
                   coins_per_hour: app_commands.Range[int, 0, 10**10] | None = None, public: bool = False) -> None:
        await self._run(interaction, "live", public, viewers=viewers, hours=hours, gifter_share=pct(gifter_share),
                        avg_gift=avg_gift, coins_per_hour=coins_per_hour)

    @app_commands.command(name="month", description="A month of LIVE: one stream × streams per month")
    @app_commands.describe(viewers="Average concurrent viewers", hours="Hours per stream",
                           streams="Streams per month (default 12)", gifter_share="% of viewers who send gifts",
                           avg_gift="Average gift size in coins", public=PUBLIC)
    async def month(self, interaction: discord.Interaction, hours: app_commands.Range[float, 0.1, 24.0],
                    viewers: app_commands.Range[int, 1, 10**8] | None = None,
                    streams: app_commands.Range[int, 1, 100] | None = None, gifter_share: PERCENT | None = None,
                    avg_gift: app_commands.Range[int, 1, 10**5] | None = None, public: bool = False) -> None:
        await self._run(interaction, "month", public, viewers=viewers, hours=hours, streams=streams,
                        gifter_share=pct(gifter_share), avg_gift=avg_gift)

    @app_commands.command(name="diamonds", description="What a diamond balance pays you")
    @app_commands.describe(amount="Number of diamonds", agency="% an agency takes, if any",
                           scaled_rate="Your US Scaled LIVE Rewards rate (20–53%), if you know it", public=PUBLIC)
    async def diamonds(self, interaction: discord.Interaction, amount: app_commands.Range[int, 0, BIG],
                       agency: PERCENT | None = None, scaled_rate: app_commands.Range[float, 0.0, 53.0] | None = None,
                       public: bool = False) -> None:
        await self._run(interaction, "diamonds", public, amount=amount, agency=pct(agency),
                        scaled_rate=pct(scaled_rate))

    @app_commands.command(name="coins", description="What coins of gifts pay you, and what viewers paid")
    @app_commands.describe(amount="Number of coins", public=PUBLIC)
    async def coins(self, interaction: discord.Interaction, amount: app_commands.Range[int, 0, BIG],
                    public: bool = False) -> None:
        await self._run(interaction, "coins", public, amount=amount)

    @app_commands.command(name="subs", description="Monthly pay from LIVE Super Fan or on-feed Subscription")
    @app_commands.describe(subscribers="Number of subscribers", price="Monthly price in USD",
                           share="Your % of the price", plan="Super Fan (LIVE) or Subscription (on-feed)",
                           region="Where you are: shares differ", public=PUBLIC)
    async def subs(self, interaction: discord.Interaction, subscribers: app_commands.Range[int, 0, 10**9],
                   price: app_commands.Range[float, 0.0, 1000000.0] | None = None, share: PERCENT | None = None,
                   plan: Literal["super_fan", "subscription"] | None = None,
                   region: Literal["us_ca", "other"] | None = None, public: bool = False) -> None:
        await self._run(interaction, "subs", public, subscribers=subscribers, price=price, share=pct(share),
                        plan=plan, region=region)

    @app_commands.command(name="views", description="Creator Rewards pay for video views")
    @app_commands.describe(views="Number of views", qualified="% of views that qualify", rpm="Your RPM (USD per 1,000)",
                           public=PUBLIC)
    async def views(self, interaction: discord.Interaction, views: app_commands.Range[int, 0, BIG],
                    qualified: PERCENT | None = None, rpm: app_commands.Range[float, 0.0, 100.0] | None = None,
                    public: bool = False) -> None:
        await self._run(interaction, "views", public, views=views, qualified_share=pct(qualified), rpm=rpm)

    @app_commands.command(name="series", description="Sales of a paywalled Series")
    @app_commands.describe(buyers="Number of buyers", price="Price in USD", share="Your % of the price", public=PUBLIC)
    async def series(self, interaction: discord.Interaction, buyers: app_commands.Range[int, 0, 10**9],
                     price: app_commands.Range[float, 0.0, 1000000.0], share: PERCENT | None = None,
                     public: bool = False) -> None:
        await self._run(interaction, "series", public, buyers=buyers, price=price, share=pct(share))

    @app_commands.command(name="brand", description="A sponsored post's rate by follower tier (several sources)")
    @app_commands.describe(followers="Number of followers", engagement="Engagement rate in %",
                           posts="Number of sponsored posts", public=PUBLIC)
    async def brand(self, interaction: discord.Interaction, followers: app_commands.Range[int, 0, 10**10],
                    engagement: PERCENT | None = None, posts: app_commands.Range[int, 1, 1000] | None = None,
                    public: bool = False) -> None:
        await self._run(interaction, "brand", public, followers=followers, engagement=pct(engagement), posts=posts)

    @app_commands.command(name="affiliate", description="TikTok Shop affiliate commission")
    @app_commands.describe(units="Units sold", price="Price per unit in USD", commission="Commission in %", public=PUBLIC)
    async def affiliate(self, interaction: discord.Interaction, units: app_commands.Range[int, 0, 10**9],
                        price: app_commands.Range[float, 0.0, 1000000.0], commission: PERCENT | None = None,
                        public: bool = False) -> None:
        await self._run(interaction, "affiliate", public, units=units, price=price, commission=pct(commission))

    @app_commands.command(name="earnings", description="What an amount you earn each stream, day or post adds up to")
    @app_commands.describe(amount="What you earn each time, in USD", times="How many streams, days or posts",
                           per="What the amount is earned per (default: stream)", agency="% an agency takes, if any",
                           public=PUBLIC)
    async def earnings(self, interaction: discord.Interaction, amount: app_commands.Range[float, 0.0, MONEY],
                       times: app_commands.Range[float, 0.0, 1000000.0],
                       per: Literal["stream", "day", "week", "month", "post", "video"] | None = None,
                       agency: PERCENT | None = None, public: bool = False) -> None:
        await self._run(interaction, "earnings", public, amount=amount, times=times, per=per, agency=pct(agency))

    @app_commands.command(name="withdraw", description="Days to withdraw a balance under the $1,000 daily cap")
    @app_commands.describe(usd="Balance in USD", diamonds="Balance in diamonds",
                           agency="% an agency takes first, if any", public=PUBLIC)
    async def withdraw(self, interaction: discord.Interaction, usd: app_commands.Range[float, 0.0, MONEY] | None = None,
                       diamonds: app_commands.Range[int, 0, BIG] | None = None, agency: PERCENT | None = None,
                       public: bool = False) -> None:
        await self._run(interaction, "withdraw", public, usd=usd, diamonds=diamonds, agency=pct(agency))


async def setup(bot: LiveTallyBot) -> None:
    await bot.add_cog(Estimate(bot))
