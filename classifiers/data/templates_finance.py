"""Hand-written story templates for the money tags: funding_raise, debt_financing, losses_burn, revenue_growth.

Each template is ``(tags, title, text)``. ``{slot}`` is filled from the instance context (see
``build_dataset.context``); ``[a|b|c]`` picks one phrasing per instance.
"""

from __future__ import annotations

Template = tuple[tuple[str, ...], str, str]

FUNDING: list[Template] = [
    (("funding_raise",), "{co} raises {amt} at {val} valuation",
     "{co} has raised {amt} in a round led by {inv}, valuing {desc} at {val}, [people familiar with the deal "
     "said|according to a person briefed on the terms|the company confirmed {date}]. {inv2} and {inv3} also "
     "took part."),
    (("funding_raise",), "{co} [closes|completes] {amt} Series {series} led by {inv}",
     "The {city}-based company said the new capital will go toward hiring researchers and expanding "
     "{product}. Existing backers including {inv2} joined the round."),
    (("funding_raise",), "{inv} [leads|co-leads] {amt} investment in {co}",
     "{inv} is putting {amt} into {co}, {outlet} reported {date}, in a deal that values the startup at "
     "roughly {val}. The investment is one of the largest bets yet on {area}."),
    (("funding_raise",), "{co} in talks to raise {amt} at a {val} valuation",
     "{co} is in early discussions with investors including {inv} about a new funding round, people familiar "
     "with the matter told {outlet}. Terms could still change and no deal has been signed."),
    (("funding_raise",), "Exclusive: {co} nears deal for fresh funding from {inv}",
     "{co} is close to finalising a new equity round that would lift its valuation to {val}, two sources said. "
     "The round is expected to total about {amt}."),
    (("funding_raise",), "{big} to invest up to {amt} in {lab}",
     "{big} will invest up to {amt} in {lab} as part of a broader partnership, the companies announced {date}. "
     "{big} will hold a minority stake and will not get a board seat."),
    (("funding_raise",), "{co} lands {amt_small} seed round to build {area}",
     "Founded last year by former {lab2} researchers, {co} said the seed funding from {inv} and {inv2} will "
     "pay for its first models. The team has 14 employees."),
    (("funding_raise",), "{co} secures {amt} from {inv} and {inv2}",
     "[The fresh capital|The investment] brings total funding for {co} to more than {amt_total}, {desc} "
     "said {date}. It plans to use the money to expand into {region}."),
    (("funding_raise",), "{lab} employees to sell shares in tender offer valuing company at {val}",
     "{lab} is organising a secondary sale that lets current and former staff sell stock to investors led by "
     "{inv}, at a price that values the company at {val}, {outlet} reported."),
    (("funding_raise",), "{co} adds {amt_small} extension to its Series {series}",
     "The extension, led by {inv}, comes [six months|a year|only weeks] after {co} closed the original round. "
     "{desc_cap} did not disclose its updated valuation."),
    (("funding_raise",), "{co} bags {amt} as investors pile into {area}",
     "{co} has [closed|wrapped up] a {amt} round, the latest sign of investor appetite for {area}. {inv} "
     "led the financing, with participation from {inv2}."),
    (("funding_raise",), "Sovereign fund {inv} backs {co} in {amt} round",
     "The deal makes {inv} one of the largest outside shareholders in {co}, which [is now valued at|carries a "
     "valuation of] {val} after the investment."),
    (("funding_raise",), "{co} more than doubles valuation to {val} in latest raise",
     "Investors led by {inv} poured {amt} into {co}, {outlet} reported, [a sharp step up from|more than twice] "
     "the valuation it fetched [last year|in its previous round]."),
    (("funding_raise",), "{co} gets {amt} cash injection from {big}",
     "{big} agreed to invest {amt} in {co}, deepening a relationship that already includes a distribution "
     "agreement for {product}. The two companies declined to disclose the valuation."),
    (("funding_raise",), "{co} raises {amt} to take on {lab2}",
     "{co}, which builds {area}, said {date} it had raised {amt} from {inv} and others as it tries to win "
     "enterprise customers from larger rivals such as {lab2}."),
    (("funding_raise",), "{co}'s new funding round is oversubscribed, sources say",
     "Demand from investors for {co}'s latest round exceeded the {amt} the company set out to raise, people "
     "close to the process said. {inv} is expected to lead at a valuation near {val}."),
    (("funding_raise",), "How {co} convinced {inv} to write a {amt} check",
     "Behind the {amt} investment is a months-long courtship, according to people involved. {inv} partners "
     "visited {co}'s {city} office [three times|repeatedly] before committing to lead the round."),
    (("funding_raise",), "{co} nets {amt} in Series {series}, eyes expansion into {region}",
     "{co} said the Series {series} financing was led by {inv}. [Chief executive|CEO|Co-founder] {exec} said "
     "the money would fund a new office in {other_city} and more compute for training."),
    (("funding_raise",), "{co} confirms {amt} round at {val} post-money",
     "In a post on its website, {co} confirmed the round, [which was first reported by|earlier reported by] "
     "{outlet}. New investors include {inv} and {inv2}."),
    (("funding_raise",), "{co} taps existing backers for another {amt}",
     "Rather than court new investors, {co} raised {amt} from its current shareholders, including {inv}, at "
     "an unchanged valuation of {val}, according to a filing."),
    (("funding_raise",), "Investors value {co} at {val} in fresh fundraise",
     "The valuation makes {co} one of the most valuable private companies in {area}. The round, of about "
     "{amt}, was co-led by {inv} and {inv2}."),
    (("funding_raise",), "{inv} doubles down on {co} with {amt} follow-on investment",
     "{inv}, which first backed {co} in its seed round, is leading a follow-on financing of {amt}, the startup "
     "said. The deal was announced alongside a new version of {product}."),
    (("funding_raise",), "{co} funding: startup pulls in {amt} from {inv}",
     "{co} joins a growing list of {area} developers to attract large cheques this year. The company said it "
     "has [roughly 120|about 60|nearly 300] employees."),
    (("funding_raise",), "{big} and {inv} join {amt} round for {co}",
     "Strategic investor {big} participated alongside {inv} in the {amt} round, {co} said {date}, adding "
     "that the two will collaborate on go-to-market efforts."),
]

DEBT: list[Template] = [
    (("debt_financing",), "{cloud} secures {debt} debt facility led by {lender}",
     "The GPU cloud provider said the financing, [secured against|backed by] its fleet of Nvidia chips, will "
     "be drawn down over the next two years. {lender2} and several private credit funds also participated."),
    (("debt_financing",), "{co} lines up {debt} revolving credit facility with banks",
     "{co} has arranged a {debt} revolving credit line with a group of banks including {lender} and "
     "{lender2}, adding to its liquidity, the company said {date}."),
    (("debt_financing",), "{cloud} prices {debt} bond offering",
     "{cloud} sold {debt} of senior notes due [2029|2030|2031] with a coupon of {pct_small}%, according to a "
     "person familiar with the deal. Demand from bond investors topped three times the amount offered."),
    (("debt_financing",), "{co} taps private credit for {debt} loan",
     "{lender} is providing the [term loan|loan], which carries an interest rate several points above "
     "benchmark rates, {outlet} reported. {co} declined to comment on the terms."),
    (("debt_financing",), "{cloud} raises {debt} in debt to fund expansion",
     "{cloud} has borrowed {debt} from a group of lenders led by {lender}, the [company|firm] said, its "
     "[second|third|largest] debt deal in a year."),
    (("debt_financing",), "{lender} extends {debt} GPU-backed loan to {cloud}",
     "The loan uses {cloud}'s graphics processors as collateral, a structure that has become common among "
     "AI cloud providers. {lender} and {lender2} arranged the financing."),
    (("debt_financing",), "{co} issues {debt} in convertible notes",
     "{co} said the convertible notes will turn into equity at its next priced round. Existing investor "
     "{inv} bought most of the notes."),
    (("debt_financing",), "{cloud} refinances with new {debt} term loan",
     "The new term loan, arranged by {lender}, replaces more expensive borrowing taken out last year and "
     "extends {cloud}'s maturities to [2029|2030], the company said."),
    (("debt_financing",), "{co} borrows {debt} against future revenue",
     "{co} has struck a revenue-based financing deal with {lender}, borrowing {debt} that it will repay "
     "from a share of its subscription income, according to documents seen by {outlet}."),
    (("debt_financing",), "{cloud} upsizes credit line to {debt}",
     "{cloud} expanded its existing credit facility with {lender} to {debt}, [citing|pointing to] strong "
     "customer demand. The upsized facility matures in [2028|2029]."),
    (("debt_financing",), "{co} in talks with banks over {debt} loan",
     "{co} is negotiating a loan of about {debt} with banks including {lender}, people familiar with the "
     "talks said. The borrowing would be the company's first significant debt."),
    (("debt_financing",), "{cloud} makes debut in high-yield bond market with {debt} sale",
     "{cloud}'s first junk bond sale drew orders from more than 100 investors, according to {outlet}. The "
     "notes were rated several notches below investment grade."),
    (("debt_financing",), "Banks led by {lender} commit {debt} to {co}",
     "A syndicate of [eight|a dozen|several] banks has committed {debt} in loans to {co}, according to a "
     "person with knowledge of the deal. {lender2} is also part of the group."),
    (("debt_financing",), "{cloud} secures delayed-draw term loan of {debt}",
     "The delayed-draw structure lets {cloud} borrow the money in stages over the next 18 months, the company "
     "said in a release. Interest is set at SOFR plus [6|5.5|7] percentage points."),
    (("debt_financing",), "{co} adds {debt_small} in venture debt from {lender}",
     "The venture debt, provided by {lender}, gives {co} more runway without diluting shareholders, "
     "[CFO|chief financial officer] {exec} said in an interview."),
    (("debt_financing",), "Moody's assigns first rating to {cloud}'s {debt} notes",
     "The ratings agency gave the new notes a B1 rating, citing {cloud}'s heavy borrowing and concentrated "
     "customer base. The proceeds will repay part of an existing loan."),
    (("debt_financing",), "{co} arranges {debt} asset-backed financing",
     "The asset-backed [deal|financing], structured by {lender}, is secured by long-term customer contracts, "
     "{co} said {date}."),
    (("debt_financing",), "{cloud} draws down {debt} from credit facility",
     "According to a regulatory filing, {cloud} borrowed {debt} under its existing revolving credit facility "
     "in {quarter}, lifting its total debt load."),
    (("debt_financing",), "{co} turns to lenders as it seeks {debt} in financing",
     "Instead of selling more shares, {co} is [exploring|weighing] a {debt} loan from private credit firms "
     "such as {lender}, {outlet} reported."),
    (("debt_financing",), "{lender} and {lender2} lend {debt} to {cloud}",
     "The two firms will each provide part of the {debt} facility, which {cloud} said carries a five-year "
     "maturity and is secured by its equipment."),
]

LOSSES: list[Template] = [
    (("losses_burn",), "{co} expects {loss} loss this year, documents show",
     "{co} is on track to lose about {loss} in {year}, according to financial documents reviewed by "
     "{outlet}, as spending on computing and staff [outpaces|far exceeds] what it brings in."),
    (("losses_burn",), "{co} burning {loss_m} a month as costs mount",
     "{co} is spending roughly {loss_m} more than it takes in every month, people familiar with its finances "
     "said, [largely|mostly] because of the cost of training and running its models."),
    (("losses_burn",), "{co}'s losses widen to {loss} in {quarter}",
     "The net loss [compares with|is up from] {loss_small} a year earlier, according to figures shared with "
     "investors. Spending on compute rose sharply over the period."),
    (("losses_burn",), "{co} running low on cash, [warns|tells] investors",
     "{co} has told investors it has enough cash to last about {n_months} months at its current rate of "
     "spending, according to a letter seen by {outlet}."),
    (("losses_burn",), "{cloud} misses payment to hardware supplier, sources say",
     "{cloud} failed to make a scheduled payment to one of its [server|hardware] suppliers last month, two "
     "people familiar with the matter said, raising questions about its finances."),
    (("losses_burn",), "{co} posts net loss of {loss}, filings show",
     "Filings [show|reveal] that {co} recorded a net loss of {loss} [last year|in {year}], driven by "
     "the cost of computing power and stock-based compensation."),
    (("losses_burn",), "{co} gross margins turn negative as inference costs soar",
     "Serving {product} now costs {co} more than customers pay for it, according to internal figures, "
     "pushing its gross margin below zero for the first time."),
    (("losses_burn",), "Inside {co}'s cash crunch",
     "Executives at {co} have been racing to cut spending as cash reserves dwindle, according to "
     "[five|several] current and former employees. The company spent heavily on compute last year."),
    (("losses_burn",), "{co}'s unpaid cloud bills pile up",
     "{co} owes {cloud_partner} tens of millions of dollars in overdue bills, people with knowledge of the "
     "matter said, as the startup struggles to cover its computing costs."),
    (("losses_burn",), "{co} spends {ratio} for every dollar it earns, analysis finds",
     "An analysis of {co}'s finances by {outlet} shows the company is deeply unprofitable, with compute "
     "and payroll costs far exceeding its income."),
    (("losses_burn",), "{co}'s burn rate doubles to {loss} a year",
     "{co} is now burning through about {loss} annually, twice last year's rate, according to a person "
     "briefed on its finances."),
    (("losses_burn",), "{co} operating loss tops {loss} as training costs climb",
     "{co}'s operating loss [exceeded|surpassed] {loss} in {year}, according to figures circulated to "
     "shareholders. Training its next model accounted for much of the spending."),
    (("losses_burn",), "{co} warns it may run out of money by {month}",
     "Without new funding, {co} could exhaust its cash by {month}, the company warned employees in an "
     "internal memo, according to {outlet}."),
    (("losses_burn",), "Auditor flags going-concern doubt at {cloud}",
     "{cloud}'s auditor raised substantial doubt about the company's ability to continue as a going concern, "
     "citing recurring losses and negative operating cash flow, a filing shows."),
    (("losses_burn",), "{co} losses deepen, pushing profitability target back to {year2}",
     "{co} now does not expect to break even until {year2}, years later than planned, after losses grew to "
     "{loss} [last year|in {year}], {outlet} reported."),
    (("losses_burn",), "{co}'s cash pile shrinks to {amt_small}",
     "{co} had about {amt_small} left in the bank at the end of {quarter}, down from several times that a "
     "year earlier, according to documents reviewed by {outlet}."),
    (("losses_burn",), "{co} fails to pay {cloud_partner} bill, putting compute access at risk",
     "{co} [has fallen behind on|missed] payments owed to {cloud_partner}, which has threatened to cut off "
     "access to the servers the startup relies on, people familiar said."),
    (("losses_burn",), "{co} loses {loss} on {product} as free users balloon",
     "The free version of {product} is costing {co} far more than expected, with losses tied to the service "
     "reaching {loss}, according to {outlet}."),
    (("losses_burn",), "{co} is bleeding cash, and investors are starting to notice",
     "{co} lost more than {loss} [over the past year|in the last twelve months], people who have seen its "
     "accounts said, and some shareholders are pushing for cost cuts."),
    (("losses_burn",), "{co} in the red again as spending on chips surges",
     "{co} reported another quarterly loss, of {loss_small}, as it spent heavily on chips and data-center "
     "capacity, according to results shared with {outlet}."),
]

REVENUE: list[Template] = [
    (("revenue_growth",), "{co} annualized revenue tops {rev}",
     "{co}'s annualized revenue has [passed|surpassed|crossed] {rev}, people familiar with its finances said, "
     "driven by demand for {product} from businesses."),
    (("revenue_growth",), "{co} hits {rev} ARR, up from {rev_old} a year ago",
     "The jump in annual recurring revenue came mostly from enterprise contracts, {co} said {date}. "
     "[CEO|Chief executive] {exec} said the company added hundreds of corporate customers."),
    (("revenue_growth",), "{co} turns profitable for the first time",
     "{co} reported its first profitable quarter, according to a note sent to investors, helped by [strong "
     "sales of|growing demand for] {product} and lower serving costs."),
    (("revenue_growth",), "{co}'s revenue triples on enterprise demand",
     "Revenue at {co} roughly tripled over the past year to about {rev}, according to {outlet}, as large "
     "companies moved pilots of {product} into production."),
    (("revenue_growth",), "{cloud} revenue jumps {pct_big}% in {quarter}",
     "{cloud} said sales grew {pct_big}% from a year earlier to {rev_q}, beating its own forecast, as AI labs "
     "rented more of its GPU capacity."),
    (("revenue_growth",), "{co} on track for {rev} in sales this year",
     "{co} expects to generate about {rev} in revenue in {year}, [according to a person familiar with its "
     "projections|it told investors], up sharply from last year."),
    (("revenue_growth",), "{co} crosses {n_subs} paying subscribers, lifting revenue",
     "The milestone means subscriptions to {product} alone now bring in more than {rev} a year, {co} said."),
    (("revenue_growth",), "{co} tells investors its revenue run-rate reached {rev}",
     "In an update to shareholders, {co} said its revenue run-rate reached {rev}, [double|nearly triple] the "
     "level of six months ago."),
    (("revenue_growth",), "{co} reports first positive quarter as API sales grow",
     "Sales of access to {co}'s models through its API rose quickly in {quarter}, helping the company post "
     "[an operating profit|positive operating income] for the first time, {outlet} reported."),
    (("revenue_growth",), "{co}'s sales double in six months as coding tools catch on",
     "Demand for AI coding assistants built on {co}'s models has helped double its sales since the start of "
     "the year, to an annualized {rev}, according to people familiar."),
    (("revenue_growth",), "{cloud} books record quarter as backlog swells to {rev}",
     "{cloud} reported record revenue for {quarter} and said its contracted backlog grew to {rev}, reflecting "
     "multi-year commitments from AI developers."),
    (("revenue_growth",), "{co} projects {rev} in revenue by {year2}",
     "Internal projections shared with investors show {co} expects revenue to reach {rev} by {year2}, "
     "[up from|compared with] about {rev_old} today."),
    (("revenue_growth",), "{co} now breaks even on inference, CFO says",
     "{co}'s [chief financial officer|CFO] {exec} said the company now earns more from serving its models "
     "than it spends running them, a key step towards overall profitability."),
    (("revenue_growth",), "{co}'s API business now generates {rev} a year",
     "Developers and businesses paying for {co}'s API now account for {rev} in yearly revenue, "
     "[the company said|according to a company spokesperson], a big increase from last year."),
    (("revenue_growth",), "{co} beats its internal revenue forecast",
     "{co} [exceeded|topped] the revenue target it set for {year}, reaching about {rev}, according to an "
     "internal memo viewed by {outlet}."),
    (("revenue_growth",), "Enterprise deals push {co} revenue past {rev}",
     "Large contracts with banks and retailers pushed {co}'s annual revenue past {rev}, according to "
     "[two people|people] familiar with the numbers."),
    (("revenue_growth",), "{co} is now cash-flow positive, memo says",
     "{co} generated more cash than it spent in {quarter}, [CEO|chief executive] {exec} told staff in a memo, "
     "the first time it has done so."),
    (("revenue_growth",), "{cloud} raises full-year revenue guidance",
     "{cloud} lifted its full-year sales forecast to {rev} from {rev_old}, saying demand for AI computing "
     "capacity remains stronger than supply."),
    (("revenue_growth",), "{co} revenue growth accelerates as {product} gains users",
     "{co} said revenue grew {pct_big}% [quarter over quarter|from the previous quarter], the fastest pace "
     "since it began selling {product}."),
    (("revenue_growth",), "{co} posts record sales and first annual profit",
     "{co} reported [record|its highest ever] revenue of {rev} for {year} and a small net profit, "
     "[helped by|thanks to] price discipline and rising enterprise demand."),
]

FUNDING += [
    (("funding_raise",), "{co} pulls in {amt} as AI funding frenzy continues",
     "The round, announced {date}, was led by {inv}. {co} did not say what valuation it received, but "
     "people familiar put it at about {val}."),
    (("funding_raise",), "Startup {co} wins backing from {big} and {inv}",
     "{big} and {inv} are among the investors in a {amt} financing for {co}, which makes {area}."),
]

DEBT += [
    (("debt_financing",), "{cloud} sells {debt} of asset-backed securities tied to its GPUs",
     "The securitisation packages lease payments from {cloud}'s GPU customers into bonds, a first for the "
     "sector, according to {lender}, which arranged the sale."),
    (("debt_financing",), "{co} gets {debt} loan commitment from {lender}",
     "{lender} has committed to lend {co} up to {debt} over the next three years, the company said {date}, "
     "giving it flexibility to fund expansion without issuing new shares."),
]

LOSSES += [
    (("losses_burn",), "{co} spent {loss} more than it made last year",
     "Documents shared with prospective investors show {co}'s costs exceeded its revenue by about {loss} in "
     "{year}, with most of the money going to computing power."),
    (("losses_burn",), "{co} has months of runway left, executives tell staff",
     "At a company meeting, {co}'s leaders said the startup had roughly {n_months} months of runway and was "
     "cutting discretionary spending, [employees said|according to a recording heard by {outlet}]."),
    (("losses_burn",), "{co} deeply unprofitable as compute bills soar, filing shows",
     "A filing shows {co} reported an operating loss of {loss} for {year}. The company said it expected "
     "losses to continue as it invests in larger models."),
    (("losses_burn",), "{co} defaults on payments to data-center landlord",
     "{co} has stopped paying rent on [part of|one of] its data-center leases, the landlord said in a court "
     "filing, alleging the startup owes millions in missed payments."),
    (("losses_burn",), "{co}'s cash burn alarms shareholders",
     "Some shareholders of {co} are worried about how fast it is spending money, after it burned through "
     "{loss} in {year}, according to people familiar."),
    (("losses_burn",), "{co} loses money on every subscription to {product}, analysts estimate",
     "Each paying subscriber to {product} costs {co} more to serve than they pay, analysts at a research "
     "firm estimated, leaving the product with negative margins."),
]

REVENUE += [
    (("revenue_growth",), "{co} sales soar as businesses adopt {product}",
     "{co}'s sales rose to an annual pace of {rev}, [the company said|according to a shareholder letter], "
     "with more than half coming from large companies."),
    (("revenue_growth",), "{co}'s revenue beats estimates for {quarter}",
     "{co} reported revenue of {rev_q} for {quarter}, above what analysts had expected, and said demand "
     "for its products keeps growing."),
]

LOSSES += [
    (("losses_burn",), "{co} racks up {loss} in losses as it chases {lab2}",
     "Trying to keep pace with {lab2} has been costly: {co} lost about {loss} [last year|in {year}], "
     "according to people familiar with its accounts."),
    (("losses_burn",), "{co} warns of bigger losses ahead",
     "{co} told investors its losses would grow [next year|in {year2}] as it spends more on training, "
     "after losing {loss_small} in {quarter}."),
    (("losses_burn",), "{co} struggles to pay its bills as money runs short",
     "{co} has delayed payments to several vendors and asked staff to cut travel, as its cash runs short, "
     "people familiar said."),
]
