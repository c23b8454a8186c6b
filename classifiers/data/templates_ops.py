"""Hand-written story templates for people, compute, product and legal tags.

Tags: layoffs, leadership_change, compute_deal, api_pricing, deprecation, outage, m_and_a, legal_regulatory.
Same format as ``templates_finance``.
"""

from __future__ import annotations

from classifiers.data.templates_finance import Template

LAYOFFS: list[Template] = [
    (("layoffs",), "{co} lays off {pct}% of staff",
     "{co} is cutting about {pct}% of its workforce, [CEO|chief executive] {exec} told employees {date}, "
     "saying the company had grown too quickly."),
    (("layoffs",), "{co} cuts {n_staff} jobs in restructuring",
     "The job cuts affect teams in sales, recruiting and research, according to an internal memo seen by "
     "{outlet}. Affected employees will receive [12|16|8] weeks of severance."),
    (("layoffs",), "{co} freezes hiring amid cost review",
     "{co} has paused hiring across [most|all] departments while it reviews spending, a spokesperson "
     "confirmed, adding that open roles will be reassessed."),
    (("layoffs",), "{co} to shed staff as it refocuses on enterprise",
     "{co} plans to reduce its headcount by roughly {n_staff} people as it shifts away from consumer products "
     "toward selling to businesses, the company said."),
    (("layoffs",), "{cloud} trims sales team in second round of cuts",
     "{cloud} laid off dozens of salespeople {date}, months after an earlier round of job cuts, according to "
     "[posts on LinkedIn|former employees]."),
    (("layoffs",), "{co} confirms layoffs at {other_city} office",
     "{co} confirmed it had let go of employees in {other_city}, without saying how many. Former staff said "
     "around {n_staff} people lost their jobs."),
    (("layoffs",), "{co} reorganises, eliminating {n_staff} roles",
     "As part of the reorganisation, {co} is eliminating about {n_staff} positions and merging its research "
     "and product groups, the company said {date}."),
    (("layoffs",), "{co} downsizes as growth slows",
     "Employees at {co} were told in an all-hands meeting that the company would shrink its workforce, "
     "[with cuts expected across several teams|with notices going out this week], {outlet} reported."),
    (("layoffs",), "Memo: {co} to reduce headcount by about a third",
     "{co} will cut roughly a third of its employees, according to a memo from {exec} [obtained|seen] by "
     "{outlet}. The company had about {n_staff_total} staff before the cuts."),
    (("layoffs",), "{co} lets go of most of its research team",
     "{co} has dismissed the majority of its research staff, people familiar said, as it stops training its "
     "own frontier models and focuses on applications."),
    (("layoffs",), "{co} closes {other_city} office, dismisses local staff",
     "{co} is shutting its office in {other_city} and laying off the employees who worked there, the company "
     "said, as part of a push to reduce costs."),
    (("layoffs",), "{co} offers buyouts as it trims workforce",
     "{co} is offering voluntary buyouts to employees and [warned|told staff] that involuntary job cuts could "
     "follow if not enough people accept, according to {outlet}."),
    (("layoffs",), "{co} pauses recruiting and rescinds job offers",
     "Several candidates said {co} withdrew job offers [days|weeks] before their start dates, as the company "
     "froze hiring to conserve cash."),
    (("layoffs",), "{co} restructures, cutting {pct} percent of its workforce",
     "The restructuring will see {co} cut {pct} percent of its workforce and close some smaller projects, "
     "{exec} wrote in a message to staff."),
    (("layoffs",), "{cloud} layoffs hit engineering and support",
     "{cloud} has laid off engineers and customer-support staff, several affected workers said on social "
     "media, in a round of cuts the company described as a realignment."),
    (("layoffs",), "Dozens laid off at {co} as pivot continues",
     "Dozens of employees at {co} lost their jobs {date}, the latest sign of turmoil at the company, which has "
     "struggled to find paying customers for {product}."),
    (("layoffs",), "{co} slashes staff after failed product bet",
     "After {product} failed to gain traction, {co} is cutting [around|nearly] {n_staff} jobs, people "
     "familiar with the plan said."),
    (("layoffs",), "{co} job cuts: what we know so far",
     "{co} is laying off employees across several teams. The company has not confirmed the number, but "
     "people familiar put it at {n_staff}."),
    (("layoffs",), "{co} staff told to expect redundancies",
     "Employees at {co}'s {other_city} office were told to expect redundancies by the end of {month}, "
     "according to an email seen by {outlet}."),
]

LEADERSHIP: list[Template] = [
    (("leadership_change",), "{co} CEO {exec} steps down",
     "{exec}, who has led {co} since [its founding|2021|2022], is stepping down as chief executive, the "
     "company said {date}. The board has started a search for a successor."),
    (("leadership_change",), "{co} co-founder {exec} leaves the company",
     "{exec}, one of the [three|four] founders of {co}, has left the company, [according to a post on X|the "
     "company confirmed]. No reason was given."),
    (("leadership_change",), "{co} {role} {exec} departs for rival {lab2}",
     "{exec}, who was {co}'s {role}, has joined {lab2}, {outlet} reported. It is the latest in a string of "
     "senior departures from {co}."),
    (("leadership_change",), "{co} names {exec} as new chief executive",
     "{exec}, previously at {big}, will take over as {co}'s chief executive [next month|immediately], "
     "replacing {exec2}, who will stay on as an adviser."),
    (("leadership_change",), "{co} board ousts CEO {exec}",
     "The board of {co} removed {exec} as chief executive {date}, saying it had lost confidence in [their|the "
     "CEO's] leadership. {exec2} was named interim CEO."),
    (("leadership_change",), "{exec} resigns as {co} {role}",
     "{exec} has resigned from {co}, where they served as {role}, the company confirmed. [{exec} said in a "
     "post that it was time for something new.|The resignation takes effect immediately.]"),
    (("leadership_change",), "{co} president {exec} takes extended leave",
     "{exec}, the president of {co}, is taking a leave of absence through the end of the year, [they wrote on "
     "social media|according to an internal message]."),
    (("leadership_change",), "Exodus at {co}: another senior researcher quits",
     "{exec}, who led {co}'s work on {area}, has quit, the [third|fourth] senior researcher to leave in "
     "[a month|two months], people familiar said."),
    (("leadership_change",), "{co} CFO {exec} to exit after two years",
     "{co}'s chief financial officer {exec} will leave the company at the end of {month}, {co} said. A search "
     "for a replacement is under way."),
    (("leadership_change",), "{co} board clashes with founders over strategy",
     "Tensions between {co}'s board and its founders have boiled over, with directors pressing for changes "
     "in leadership, according to people familiar with the dispute."),
    (("leadership_change",), "{exec} returns to {co} as CEO days after being pushed out",
     "In a dramatic reversal, {exec} is back as chief executive of {co} after the board that fired [them|the "
     "executive] was overhauled."),
    (("leadership_change",), "{co} shakes up leadership; {exec} out as head of product",
     "{co} announced a leadership reshuffle {date}. {exec}, who ran product, is leaving, and {exec2} takes "
     "over a combined product and engineering role."),
    (("leadership_change",), "{co} founder {exec} hands CEO role to {exec2}",
     "{exec} will become executive chair of {co}, handing day-to-day control to {exec2}, formerly the "
     "company's {role}, the startup said."),
    (("leadership_change",), "{co}'s head of safety {exec} quits, citing disagreements",
     "{exec} said in a post that [they had disagreed|they disagreed] with {co}'s leadership about priorities "
     "for some time and had finally reached a breaking point."),
    (("leadership_change",), "{co} appoints {exec} chair after board overhaul",
     "{co} has reshaped its board, adding three new directors and naming {exec} as chair. Two previous "
     "directors stepped down."),
    (("leadership_change",), "{co} loses its second {role} this year",
     "{exec} has left {co} after less than a year as {role}, following the departure of [their|the] "
     "predecessor in {month}, people familiar said."),
    (("leadership_change",), "{exec} to replace {exec2} as {co} chief executive",
     "{co} said {exec} would succeed {exec2} as chief executive [in {month}|at the start of next year], "
     "ending a months-long search."),
    (("leadership_change",), "Top {co} executives depart ahead of product launch",
     "At least [two|three] senior executives, including {role} {exec}, have left {co} in recent weeks, "
     "{outlet} reported."),
    (("leadership_change",), "{co} chief executive {exec} is out",
     "{co} parted ways with [CEO|chief executive] {exec} {date}, a spokesperson said, declining to give a "
     "reason. The company's {role} will lead in the interim."),
]

COMPUTE: list[Template] = [
    (("compute_deal",), "{co} signs {amt_big} cloud deal with {cloud_partner}",
     "{co} has agreed to spend {amt_big} on computing capacity from {cloud_partner} over [five|several] "
     "years, the companies said {date}, to train and run future models."),
    (("compute_deal",), "{co} to buy {n_chips} Nvidia {chip} chips",
     "{co} plans to purchase about {n_chips} {chip} processors [this year|over the next year], according to "
     "people familiar with the order, to build a new training cluster."),
    (("compute_deal",), "{co} inks multiyear compute contract with {cloud}",
     "{cloud} will provide {co} with GPU capacity under a multiyear agreement, the two companies announced. "
     "Financial terms were not disclosed."),
    (("compute_deal",), "{co} to build {gw} data center in {dc_loc}",
     "{co} said it would build a {gw} data-center campus in {dc_loc} to house its next generation of "
     "training clusters, with the first phase online next year."),
    (("compute_deal",), "{cloud_partner} to supply {co} with {chip} capacity",
     "Under the agreement, {cloud_partner} will reserve clusters of {chip} chips for {co}'s exclusive use, "
     "{outlet} reported."),
    (("compute_deal",), "{co} orders custom chips from {chipmaker}",
     "{co} has placed an order with {chipmaker} for custom AI accelerators designed for inference, people "
     "familiar said, reducing its dependence on off-the-shelf GPUs."),
    (("compute_deal",), "{co} expands partnership with {cloud_partner} for training capacity",
     "{co} will [get access to|reserve] additional data-center capacity from {cloud_partner}, expanding an "
     "existing arrangement, the companies said {date}."),
    (("compute_deal",), "{co} commits {amt_big} to {cloud} over five years",
     "The contract, disclosed in a filing by {cloud}, commits {co} to buy {amt_big} of computing power "
     "through [2029|2030]."),
    (("compute_deal",), "{co} secures access to {n_chips} GPUs for next model",
     "{co} has lined up {n_chips} graphics processors through a mix of cloud rentals and direct purchases, "
     "[CEO|chief executive] {exec} said."),
    (("compute_deal",), "{co} strikes chip supply deal with {chipmaker}",
     "{chipmaker} will supply {co} with its {chip} accelerators starting next year under a supply "
     "agreement announced {date}."),
    (("compute_deal",), "{cloud} lands {amt_big} contract to host {lab} workloads",
     "{cloud} said {lab} had signed a contract worth up to {amt_big} for GPU capacity, one of the largest "
     "deals in the company's history."),
    (("compute_deal",), "{co}'s new supercomputer comes online in {dc_loc}",
     "The cluster, built with {n_chips} {chip} chips, is now training {co}'s next models, the company said."),
    (("compute_deal",), "{co} rents {chip} clusters from {cloud}",
     "{co} is renting thousands of {chip} GPUs from {cloud} to meet demand for {product}, according to "
     "people familiar with the arrangement."),
    (("compute_deal",), "{co} to use {chipmaker}'s accelerators for inference",
     "{co} will run part of its inference traffic on {chipmaker} hardware, [diversifying|broadening] its chip "
     "suppliers, it said {date}."),
    (("compute_deal",), "{co} signs power deal for its data-center campus",
     "{co} agreed to buy electricity from a new [gas|nuclear|solar] plant to power its data center in "
     "{dc_loc}, securing {gw} of capacity."),
    (("compute_deal",), "{co} taps {cloud_partner} for more compute as demand grows",
     "Struggling to keep up with demand, {co} has signed up {cloud_partner} as an additional provider of "
     "computing capacity, [alongside|in addition to] its existing suppliers."),
    (("compute_deal",), "{co} and {cloud_partner} agree {gw} capacity expansion",
     "{cloud_partner} will build out {gw} of additional capacity for {co} under an expanded agreement, "
     "{outlet} reported."),
    (("compute_deal",), "{co} reserves {chip} capacity at {cloud} for {year2}",
     "The reservation covers several thousand {chip} GPUs in {cloud} data centers, the companies said, with "
     "delivery starting [next year|in {month}]."),
]

PRICING: list[Template] = [
    (("api_pricing",), "{co} cuts {model} API prices by {pct_big}%",
     "{co} is lowering the price of {model} for developers by {pct_big}%, to {price_new}, the company said "
     "{date}, as competition among model providers intensifies."),
    (("api_pricing",), "{co} raises prices for {model} API",
     "Developers using {model} will pay more from {month}: {co} is increasing the price to {price_up}, "
     "[citing higher demand|saying the model costs more to serve]."),
    (("api_pricing",), "{co} introduces new pricing tiers for developers",
     "{co} now offers [three|four] API pricing tiers, with higher rate limits and volume discounts for "
     "customers who commit to larger monthly spend."),
    (("api_pricing",), "{co} tightens rate limits on {model}",
     "{co} has lowered the number of requests per minute developers can send to {model}, [citing|blaming] "
     "capacity constraints, according to an email to customers."),
    (("api_pricing",), "{model} now costs {price_new}, down from {price_old}",
     "{co} [updated|revised] its pricing page {date}: {model} input tokens now cost {price_new}, compared with "
     "{price_old} before."),
    (("api_pricing",), "{co} doubles rate limits for paying API customers",
     "Paying developers on {co}'s platform can now send twice as many requests per minute to {model}, the "
     "company said, [after complaints about throttling|as it adds capacity]."),
    (("api_pricing",), "{co} ends free API tier",
     "{co} will stop offering free access to its API from {month}, requiring developers to add a payment "
     "method to keep using {model}."),
    (("api_pricing",), "{cloud} slashes inference prices for open models",
     "{cloud} cut what it charges for running open-weight models such as Llama, with some now priced at "
     "{price_new}, in a bid to win developers."),
    (("api_pricing",), "{co} launches batch API at half price",
     "Requests sent through {co}'s new batch endpoint cost 50% less than standard API calls, in exchange "
     "for results within 24 hours."),
    (("api_pricing",), "Developers balk as {co} hikes {model} pricing",
     "{co} [raised|increased] the price of {model} to {price_up}, [a fourfold increase|several times the "
     "old rate], drawing complaints from startups built on the model."),
    (("api_pricing",), "{co} adds priority tier with higher per-token rates",
     "Customers who need guaranteed throughput can now pay a premium of about {pct}% per token for a "
     "priority tier on {co}'s API."),
    (("api_pricing",), "{co} lowers token prices to undercut {lab2}",
     "{co}'s new API prices for {model}, at {price_new}, come in below comparable offerings from {lab2}, "
     "analysts said."),
    (("api_pricing",), "{co} caps daily requests for free users",
     "Free users of {co}'s API are now limited to a fixed number of requests per day, [down from|a tighter "
     "quota than] before, the company said in its changelog."),
    (("api_pricing",), "{co} changes API billing to charge for cached tokens",
     "Under the new billing rules, cached input tokens for {model} will be billed at {price_new}, changing "
     "costs for developers who reuse long prompts."),
    (("api_pricing",), "Price war: {co} matches {lab2}'s API cut",
     "Days after {lab2} lowered its API prices, {co} responded by cutting the price of {model} to "
     "{price_new}."),
    (("api_pricing",), "{co} quietly increases output token price for {model}",
     "A change to {co}'s pricing page shows the output price of {model} rising to {price_up}, "
     "[a move|a change] the company did not announce."),
    (("api_pricing",), "{co} introduces usage-based pricing for its enterprise API",
     "Enterprise customers of {co} will now pay per token used instead of a flat fee, the company said, "
     "with rates starting at {price_new}."),
    (("api_pricing",), "{co} reduces quota for {model} preview",
     "Developers testing the preview of {model} now get a smaller monthly token quota, {co} said, as it "
     "rations capacity."),
    (("api_pricing",), "{co} API gets cheaper: {model} drops to {price_new}",
     "{co} said {date} it was reducing the price of {model}, passing on efficiency gains to developers."),
]

DEPRECATION: list[Template] = [
    (("deprecation",), "{co} to retire {old_model} on {date_future}",
     "{co} told developers that {old_model} will stop serving requests on {date_future} and recommended "
     "migrating to {model}."),
    (("deprecation",), "{co} deprecates legacy completions API",
     "The older completions endpoint is now deprecated and will be turned off [in six months|later this "
     "year], {co} said in its changelog."),
    (("deprecation",), "{co} shuts down {product}",
     "{co} is shutting down {product}, [telling users|according to an email sent to users] that the service "
     "will no longer be available after {date_future}."),
    (("deprecation",), "{co} sunsets {old_model}, tells developers to migrate",
     "Developers have until {date_future} to move off {old_model}, after which calls to it will fail, "
     "{co} said."),
    (("deprecation",), "{co} will discontinue its consumer app",
     "{co} plans to discontinue its consumer chatbot app and focus on selling {model} to businesses, the "
     "company said {date}."),
    (("deprecation",), "{co} announces end of life for {old_model}",
     "{old_model} reaches end of life on {date_future}, {co} said, giving customers [90|60|30] days to switch."),
    (("deprecation",), "{cloud} to wind down its serverless inference service",
     "{cloud} will wind down its serverless inference product [by {date_future}|at the end of the quarter] "
     "and asked customers to move to dedicated instances."),
    (("deprecation",), "{co} pulls {old_model} from API with short notice",
     "Developers were given only [two weeks'|days of] notice before {co} removed {old_model} from its API, "
     "prompting complaints on forums."),
    (("deprecation",), "{co} is closing {product}",
     "In a blog post, {co} said it would close {product} on {date_future} and offer refunds to paying users."),
    (("deprecation",), "Developers scramble as {co} retires fine-tuning endpoint",
     "{co} is retiring its fine-tuning endpoint for {old_model}, forcing developers who trained custom "
     "versions to rebuild them."),
    (("deprecation",), "{co} phases out older embedding models",
     "{co}'s older embedding models will be phased out by {date_future}, according to a notice on its "
     "documentation site."),
    (("deprecation",), "{co} kills its plugin store",
     "{co} is killing the plugin store it launched [last year|two years ago], saying the feature has been "
     "superseded."),
    (("deprecation",), "{co} confirms {old_model} shutdown date",
     "{co} confirmed that {old_model} will be shut down on {date_future}, and existing requests will be "
     "[redirected|routed] to {model}."),
    (("deprecation",), "{co} ends support for v1 of its API",
     "Version 1 of {co}'s API will no longer be supported after {date_future}, the company said, urging "
     "customers to upgrade."),
    (("deprecation",), "{co} removes {old_model} from its platform",
     "{old_model} is no longer available on {co}'s platform, the company confirmed, as it consolidates "
     "around newer models."),
    (("deprecation",), "{co} discontinues on-premises offering",
     "{co} will stop selling its on-premises deployment option and end support for existing installations "
     "on {date_future}."),
    (("deprecation",), "{co}'s {product} is going away for good",
     "{co} announced that {product} will be permanently discontinued on {date_future}."),
    (("deprecation",), "{co} to switch off {old_model} as it consolidates model lineup",
     "The company will switch off {old_model} and several other legacy models on {date_future}, {outlet} "
     "reported."),
]

OUTAGE: list[Template] = [
    (("outage",), "{co} API down for hours",
     "Developers reported errors when calling {co}'s API for several hours {date}. The company said it had "
     "identified the issue and was working on a fix."),
    (("outage",), "{co} suffers major outage",
     "{product} was unavailable for many users {date} in a major outage that lasted about {hours} hours, "
     "according to {co}'s status page."),
    (("outage",), "{product} hit by elevated error rates",
     "{co}'s status page reported elevated error rates for {product} {date}, and users reported failed "
     "requests [across regions|in Europe and the US]."),
    (("outage",), "{co} restores service after partial outage",
     "Service has been restored after a partial outage that affected some users of {model}, {co} said."),
    (("outage",), "{co} reports degraded performance for {model}",
     "{co} is investigating degraded performance affecting {model}, with some requests timing out, its "
     "status page said."),
    (("outage",), "{cloud} outage knocks customers offline",
     "A failure at one of {cloud}'s data centers took customer workloads offline for several hours {date}, "
     "the company said."),
    (("outage",), "Users report {product} not responding",
     "Thousands of users reported problems with {product} {date}, according to outage tracker Downdetector. "
     "{co} acknowledged the issue."),
    (("outage",), "{co} blames outage on configuration change",
     "A faulty configuration change caused {co}'s [{hours}-hour|lengthy] outage, the company said in a "
     "post-mortem."),
    (("outage",), "{co} investigating increased latency and failed requests",
     "{co} said it was investigating increased latency and failed requests on its API, affecting {model}."),
    (("outage",), "{co} API returning 500 errors",
     "Calls to {co}'s API returned internal server errors for about {hours} hours, breaking applications "
     "built on {model}."),
    (("outage",), "Second outage in a week for {co}",
     "{co} went down again {date}, the second disruption in a week, renewing questions about its ability to "
     "handle demand."),
    (("outage",), "{co} incident: requests to {model} failing",
     "An incident on {co}'s platform caused requests to {model} to fail, according to its status page. A fix "
     "was rolled out [after about an hour|later in the day]."),
    (("outage",), "{cloud} power failure disrupts inference",
     "A power failure at a {cloud} facility disrupted inference services for customers, who saw [errors|"
     "timeouts] for several hours."),
    (("outage",), "{co} login problems lock out users",
     "Many users could not sign in to {product} {date} because of an authentication problem, {co} said."),
    (("outage",), "{co} resolves incident affecting API keys",
     "{co} said it had resolved an incident that caused valid API keys to be rejected for about {hours} "
     "hours."),
    (("outage",), "{product} was unavailable for {hours} hours",
     "{co}'s {product} was unavailable for {hours} hours {date}, according to its incident report."),
    (("outage",), "{co} says DDoS attack caused disruption",
     "{co} said a distributed denial-of-service attack caused periodic disruptions to {product} over the "
     "weekend."),
    (("outage",), "{co} goes down, taking popular apps with it",
     "An outage at {co} {date} broke apps that depend on {model}, developers said, with errors lasting "
     "[into the evening|for most of the morning]."),
]

M_AND_A: list[Template] = [
    (("m_and_a",), "{big} to acquire {co} for {amt}",
     "{big} agreed to buy {co} for about {amt}, the companies announced {date}, in a deal expected to close "
     "[later this year|next quarter] pending approvals."),
    (("m_and_a",), "{co} buys {startup} in its first acquisition",
     "{co} has acquired {startup}, [its first acquisition|the first deal of its kind for the company], to "
     "add tools for {area}. Terms were not disclosed."),
    (("m_and_a",), "{co} acquires {startup} to bolster {area}",
     "The deal brings {startup}'s engineers into {co}, which said the acquisition would accelerate its work "
     "on {area}."),
    (("m_and_a",), "{big} in talks to buy {co}",
     "{big} is in advanced talks to acquire {co}, people familiar with the matter said. A deal could be "
     "announced within weeks."),
    (("m_and_a",), "{co} agrees to be acquired by {big}",
     "{co}'s board approved the sale to {big}, which will pay {amt} in cash and stock, according to a "
     "statement."),
    (("m_and_a",), "{co} snaps up {startup}",
     "{co} has snapped up {startup} for an undisclosed sum, the companies said."),
    (("m_and_a",), "{co} and {lab2} agree to merge",
     "{co} and {lab2} will combine in an all-stock merger, creating a larger rival to the biggest labs, the "
     "companies said {date}."),
    (("m_and_a",), "{big} completes acquisition of {co}",
     "{big} said it had completed its purchase of {co}, which will operate as a unit within its cloud "
     "business."),
    (("m_and_a",), "{co} acqui-hires team behind {startup}",
     "In an acqui-hire, {co} has brought on the team behind {startup}, which will wind down its own product."),
    (("m_and_a",), "{co} explores a sale after growth stalls",
     "{co} has hired bankers to explore a sale, according to people familiar, and has held talks with "
     "[potential buyers|several suitors] including {big}."),
    (("m_and_a",), "{big} takes over {co} in all-stock deal",
     "The all-stock takeover values {co} at about {amt}, {outlet} reported."),
    (("m_and_a",), "{co} purchases {startup} for undisclosed sum",
     "{co} did not disclose how much it paid for {startup}, whose employees will join {co}'s {area} team."),
    (("m_and_a",), "{co} weighs takeover offers",
     "{co} has received takeover interest from several large technology companies, people familiar said, "
     "and is weighing its options."),
    (("m_and_a",), "{co} rejects {big}'s takeover bid",
     "{co} turned down an offer from {big} to buy the company for {amt}, saying it undervalued the business, "
     "people familiar said."),
    (("m_and_a",), "{co} to be folded into {big}'s AI division",
     "After the deal closes, {co} will be folded into {big}'s AI division, and its products will be rebranded."),
    (("m_and_a",), "{co} merger talks with {lab2} revealed",
     "{co} held talks about merging with {lab2} [earlier this year|last month], {outlet} reported, though "
     "it is unclear whether discussions are continuing."),
    (("m_and_a",), "{co} strikes deal to buy {startup}",
     "{co} has struck a deal to buy {startup}, the companies confirmed, with the acquisition expected to "
     "close in {month}."),
]

LEGAL: list[Template] = [
    (("legal_regulatory",), "{co} sued by {plaintiff_lc} over copyright",
     "The lawsuit, filed in federal court, accuses {co} of training its models on copyrighted material "
     "without permission."),
    (("legal_regulatory",), "{regulator} opens investigation into {co}",
     "{regulator} has opened an investigation into {co}'s data practices, [according to a letter seen by "
     "{outlet}|the agency said {date}]."),
    (("legal_regulatory",), "{co} fined {fine} by {regulator_short}",
     "{regulator} fined {co} {fine}, saying it had processed personal data without a proper legal basis."),
    (("legal_regulatory",), "Judge rules {co} must face lawsuit",
     "A federal judge declined to dismiss a lawsuit against {co}, allowing claims that it misused "
     "[copyrighted works|user data] to proceed."),
    (("legal_regulatory",), "{co} hit with class action over data scraping",
     "A proposed class action filed {date} alleges {co} scraped personal information from the web without "
     "consent to train {model}."),
    (("legal_regulatory",), "New US export controls on AI chips hit {co}",
     "Tighter export controls announced by the Commerce Department will [limit|restrict] {co}'s access to "
     "advanced chips such as the {chip}, analysts said."),
    (("legal_regulatory",), "{regulator} orders {co} to halt {product} in {country}",
     "{regulator} ordered {co} to stop offering {product} to users in {country} until it addresses "
     "privacy concerns."),
    (("legal_regulatory",), "{co} settles lawsuit with {plaintiff_lc}",
     "{co} agreed to settle the lawsuit brought by {plaintiff_lc}, according to a court filing. Terms were "
     "not disclosed."),
    (("legal_regulatory",), "{regulator} probes {big}'s investment in {co}",
     "{regulator} is examining whether {big}'s investment in {co} amounts to a merger that should have been "
     "reviewed under competition law."),
    (("legal_regulatory",), "{co} faces antitrust scrutiny in {region}",
     "Competition authorities in {region} are looking into {co}'s partnerships, {outlet} reported, the "
     "latest sign of regulators' interest in the AI industry."),
    (("legal_regulatory",), "Former employee sues {co} for wrongful termination",
     "A former engineer at {co} filed a lawsuit claiming [they were|she was|he was] fired for raising safety "
     "concerns, according to the complaint."),
    (("legal_regulatory",), "US adds {co} to trade blacklist",
     "The Commerce Department added {co} to its entity list, restricting American companies from selling it "
     "technology without a license."),
    (("legal_regulatory",), "{co} subpoenaed in {regulator_short} inquiry",
     "{co} received a subpoena from {regulator} seeking documents about how it markets {product}, a person "
     "familiar said."),
    (("legal_regulatory",), "{co} accused of trademark infringement",
     "A startup claims {co}'s new product name infringes its trademark and has asked a court for an "
     "injunction."),
    (("legal_regulatory",), "Court blocks {co} from using publishers' content",
     "A court granted a preliminary injunction barring {co} from using the publishers' articles while the "
     "case proceeds."),
    (("legal_regulatory",), "{eu_regulator_short} warns {co} over GDPR breach",
     "{eu_regulator} said {co} may have breached EU data protection rules and gave it [20|30] days to respond."),
    (("legal_regulatory",), "{co} appeals {fine} penalty",
     "{co} said it would appeal a {fine} fine imposed by {regulator}, calling the decision disproportionate."),
    (("legal_regulatory",), "Lawmakers demand answers from {co} over teen safety",
     "A group of senators sent a letter to {co} demanding information about safeguards for minors, and "
     "[threatened|raised the prospect of] hearings."),
]

COMPUTE += [
    (("compute_deal",), "{co} signs deal for {n_chips} {chip}s in {dc_loc}",
     "{co} will get access to {n_chips} {chip} chips housed in a facility in {dc_loc} under a deal with "
     "{cloud}, the companies said {date}."),
    (("compute_deal",), "{chipmaker} to provide {co} with {gw} of AI computing",
     "{chipmaker} and {co} signed a multiyear agreement under which {co} will deploy {gw} of {chipmaker} "
     "systems in its data centers."),
    (("compute_deal",), "{co} leases data-center capacity in {dc_loc}",
     "{co} has signed a long-term lease for a {gw} data-center site in {dc_loc}, according to property "
     "records, to run inference for {product}."),
    (("compute_deal",), "{co} moves training to {cloud_partner} in multiyear agreement",
     "Under the agreement, {co} will train its next models on {cloud_partner} infrastructure, [shifting "
     "away from|supplementing] its previous provider."),
    (("compute_deal",), "{cloud} wins {lab} as anchor tenant for new GPU cluster",
     "{lab} will be the anchor customer of a new {chip} cluster {cloud} is building in {dc_loc}, under a "
     "multiyear contract."),
    (("compute_deal",), "{co} places order for {chipmaker} servers worth {amt_big}",
     "The order, worth about {amt_big}, covers servers built around {chipmaker}'s {chip} chips that "
     "will be delivered over the next year, {outlet} reported."),
]

PRICING += [
    (("api_pricing",), "{co} cuts what developers pay for {model}",
     "Developers now pay {price_new} to use {model}, [less than half|a fraction] of the previous "
     "{price_old}, {co} said {date}."),
    (("api_pricing",), "{co} API pricing update: {model} gets more expensive",
     "In an email to customers, {co} said {model} would cost {price_up} from {month}, up from {price_old}."),
    (("api_pricing",), "{co} imposes new usage limits on its API",
     "{co} now limits how many tokens each organisation can process per day on {model}, and heavy users "
     "must apply for a higher quota."),
    (("api_pricing",), "{co} offers volume discounts to large API customers",
     "Companies that spend heavily on {co}'s API will now get discounted per-token rates, the company said, "
     "as it competes with {lab2} for enterprise business."),
    (("api_pricing",), "{co} raises API rate limits for top-tier customers",
     "Customers in {co}'s highest usage tier can now send up to four times as many requests per minute to "
     "{model}, the company said."),
]

DEPRECATION += [
    (("deprecation",), "{co} will stop serving {old_model} next quarter",
     "{co} said it would stop serving {old_model} [next quarter|by the end of the year] and that existing "
     "integrations should move to {model}."),
    (("deprecation",), "{co} gives developers 30 days to leave {old_model}",
     "After {date_future}, requests to {old_model} will return an error, {co} warned in a deprecation notice."),
    (("deprecation",), "{co} winds down {product}",
     "{co} is winding down {product} and will delete user data after {date_future}, according to an update "
     "on its help centre."),
    (("deprecation",), "{co} to turn off legacy API endpoints",
     "Several legacy endpoints on {co}'s API will be turned off on {date_future}, the company said."),
]

OUTAGE += [
    (("outage",), "{co} services disrupted for users in Europe",
     "Users in Europe could not reach {product} for [more than an hour|several hours] {date}, according to "
     "{co}'s status page, which cited a networking issue."),
    (("outage",), "{co} hit by widespread errors after update",
     "A software update caused widespread errors across {co}'s API {date}, and the company rolled it back."),
]

M_AND_A += [
    (("m_and_a",), "{big} snaps up {co} in push into {area}",
     "{big} has bought {co}, a developer of {area}, the companies said, without disclosing the price."),
    (("m_and_a",), "{co} sold to {big}",
     "{co}'s investors have agreed to sell the company to {big} for about {amt}, {outlet} reported {date}."),
    (("m_and_a",), "{co} agrees deal to take over {startup}",
     "{co} will take over {startup} and keep its brand for now, the companies said in a joint statement."),
    (("m_and_a",), "{big} licenses {co}'s models and hires its founders",
     "Under the arrangement, {big} will pay to license {co}'s technology and hire its founders and most of "
     "its researchers, leaving a small team behind."),
    (("m_and_a",), "{co} picks up {startup} to expand its {area} team",
     "The acquisition of {startup} adds about 20 engineers to {co}, the company said {date}."),
    (("m_and_a",), "{big} nears deal to buy {co}, sources say",
     "{big} is close to an agreement to buy {co} for roughly {amt}, according to people familiar with the "
     "talks."),
]

LEGAL += [
    (("legal_regulatory",), "{co} faces lawsuit over chatbot's harmful advice",
     "The complaint, filed in state court, alleges {product} gave a user dangerous advice and that {co} "
     "failed to put adequate safeguards in place."),
    (("legal_regulatory",), "{regulator} launches probe into {co} pricing practices",
     "{regulator} said it was investigating whether {co} misled customers about its prices and terms."),
]

LAYOFFS += [
    (("layoffs",), "{co} cuts jobs as it tightens its belt",
     "{co} eliminated [dozens of|about {n_staff}] positions {date}, according to people familiar, as the "
     "company tries to reduce spending."),
]

LEADERSHIP += [
    (("leadership_change",), "{co} chief executive {exec} resigns unexpectedly",
     "{exec} resigned as CEO of {co} {date}, the company said, without giving a reason. The board named "
     "{exec2} as acting chief executive."),
]

M_AND_A += [
    (("m_and_a",), "{co} to merge into {big} as independent path narrows",
     "{co} has agreed to become part of {big}, ending its run as an independent company, {outlet} reported."),
    (("m_and_a",), "{big} bought {co}. Here is what happens to its API customers",
     "After {big}'s acquisition of {co}, developers using {model} will be moved to {big}'s platform over "
     "the next year."),
    (("m_and_a",), "{co} is up for sale, and {big} is interested",
     "{co} has been quietly shopping itself to potential acquirers, and {big} has expressed interest, "
     "according to people familiar."),
]
