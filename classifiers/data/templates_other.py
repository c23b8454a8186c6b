"""Hand-written templates for articles with no tag (including deliberate hard negatives) and multi-label stories.

Same format as ``templates_finance``.
"""

from __future__ import annotations

from classifiers.data.templates_finance import Template

NONE: list[Template] = [
    # Product launches and features.
    ((), "{co} launches {new_model}, its most capable model yet",
     "{co} released {new_model} {date}, saying it beats {model} on coding and maths benchmarks. It is "
     "available to developers and in {product}."),
    ((), "{co} unveils a voice assistant that can hold a conversation",
     "The new voice mode lets users talk to {product} in real time and interrupt it mid-sentence, {co} "
     "said in a demo."),
    ((), "{co} releases open-weight model for developers",
     "{co} published the weights of {new_model} under a permissive licence, letting developers run it on "
     "their own hardware."),
    ((), "{product} gets memory: {co} lets chatbot remember preferences",
     "{co} is rolling out a memory feature that lets {product} recall details from earlier conversations, "
     "with controls to delete what it remembers."),
    ((), "{co} debuts agent that can browse the web for you",
     "The agent can fill out forms and compare products online, {co} said, though it still asks for "
     "confirmation before making purchases."),
    ((), "{co} rolls out {new_model} to free users",
     "Free users of {product} will start seeing {new_model} [this week|over the coming days], {co} said."),
    ((), "{co} adds support for 30 more languages",
     "{model} now understands and writes in dozens of additional languages, including Swahili and Tagalog, "
     "{co} said {date}."),
    ((), "{co} launches fine-tuning for {model}",
     "Developers can now fine-tune {model} on their own data through {co}'s platform, the company announced."),
    ((), "{co} brings image generation to {product}",
     "Users can now create and edit images directly inside {product}, {co} said."),
    # Hard negatives: finance words without a finance signal.
    ((), "{co} raises the context window of {model} to 1 million tokens",
     "{model} can now read about 1 million tokens in a single prompt, up from 128,000, {co} said {date}, "
     "enough to process several books at once."),
    ((), "{co} raises the bar with new reasoning model",
     "With {new_model}, {co} says it has raised the bar on hard science questions, though independent "
     "researchers have yet to verify the claims."),
    ((), "{inv} raises {fund} fund to back AI startups",
     "Venture firm {inv} has raised {fund} for a new fund dedicated to early-stage AI companies, it said "
     "{date}. The firm has previously backed {co}."),
    ((), "{inv} closes {fund} growth fund as AI deals heat up",
     "{inv} said its latest growth fund closed at {fund}, above its target, and that it would invest in "
     "software and AI companies."),
    ((), "GPU rental prices fall as {chip} supply improves",
     "Hourly prices for renting {chip} GPUs have dropped [sharply|by about a third] this year as more "
     "capacity comes online, according to data from a marketplace tracker."),
    ((), "Cloud GPU spot prices climb as demand for {chip} chips spikes",
     "Spot prices for {chip} instances on several marketplaces rose over the past month, brokers said, as "
     "startups rushed to secure capacity for training runs."),
    ((), "{co} cuts response latency in half with new model",
     "{new_model} answers about twice as fast as its predecessor, {co} said, making it better suited for "
     "voice and real-time applications."),
    ((), "{co} cuts hallucinations in latest update, tests show",
     "An independent evaluation found {model} made fewer factual errors after {co}'s latest update."),
    ((), "{co} opens {other_city} office and plans to hire",
     "{co} is opening an office in {other_city}, its [first|second] outside {city}, and expects to hire "
     "[dozens|about 50] researchers and engineers there."),
    ((), "{co} model helps lawyers review contracts faster",
     "Law firms using {model} say it cuts the time needed to review contracts, though lawyers still check "
     "the output."),
    ((), "Nvidia unveils next-generation {chip} successor",
     "Nvidia showed off its next data-center chip at its developer conference, promising faster training and "
     "inference for AI models."),
    ((), "TSMC posts record profit on AI chip demand",
     "Taiwan Semiconductor Manufacturing reported record quarterly profit, driven by orders for chips used in "
     "AI data centers."),
    ((), "AMD launches new accelerator to rival Nvidia",
     "AMD's new accelerator offers more memory than competing chips, the company said, as it courts AI "
     "developers."),
    ((), "Chip startup tapes out its first inference processor",
     "A [Bay Area|London-based|Toronto] chip startup said it had completed the design of its first "
     "inference chip and expects samples next year."),
    ((), "{co} launches a shopping assistant that compares prices",
     "The new feature in {product} compares prices across retailers and suggests deals, {co} said."),
    ((), "{co} model can now value companies from filings, researchers say",
     "In a study, researchers found {model} could produce reasonable valuations of public companies from "
     "their annual reports."),
    ((), "{co} hits {users} weekly users",
     "{product} now has {users} weekly active users, {co} said {date}, up from half that a year ago."),
    ((), "{co}'s {product} tops the App Store",
     "{product} climbed to the top of the App Store's free apps chart after the launch of {new_model}."),
    # Research, safety, opinion, tutorials.
    ((), "{co} researchers publish paper on model interpretability",
     "The paper describes a method for identifying the features a model uses to answer questions, "
     "{co} said."),
    ((), "{new_model} tops leaderboard for coding tasks",
     "{co}'s {new_model} took first place on a popular coding benchmark, edging out {model}."),
    ((), "Study finds large language models still struggle with arithmetic",
     "Researchers tested models from {co} and {lab2} and found they made mistakes on multi-step arithmetic."),
    ((), "{co} open-sources its evaluation toolkit",
     "The toolkit lets researchers reproduce {co}'s benchmark results, the company said."),
    ((), "{co} publishes updated safety framework",
     "The framework sets out the tests {co} runs before releasing a model and the safeguards it applies."),
    ((), "Red-teamers find new jailbreak in popular chatbots",
     "Security researchers said a new prompt technique bypassed safeguards in models from {co} and {lab2}."),
    ((), "Opinion: the AI boom is about more than chatbots",
     "The real change is happening inside companies, where tools built on models from {co} and others are "
     "quietly changing how work gets done."),
    ((), "Why developers love {co}'s new SDK",
     "The SDK makes it easier to build agents on {model}, developers told us, with better tooling for "
     "structured outputs."),
    ((), "What {co}'s new model means for search",
     "{new_model} could change how people find information online, analysts said, putting pressure on "
     "traditional search engines."),
    ((), "How to use {co}'s API for structured outputs",
     "A step-by-step guide to getting JSON from {model}, with examples in Python and TypeScript."),
    ((), "A practical guide to prompt caching",
     "Prompt caching can make applications faster. Here is how it works with {co}'s models and {lab2}'s."),
    ((), "{exec} of {co} says AGI is still years away",
     "Speaking at a conference in {other_city}, {exec} said current models still lack reliable reasoning."),
    ((), "{co} to host its first developer conference in {month}",
     "{co} said the event in {city} will feature talks and workshops for developers building on {model}."),
    ((), "{co} partners with universities on AI tutoring",
     "{co} will provide {product} to students at several universities as part of a research programme on "
     "AI tutors."),
    ((), "{co} teams up with newsroom on fact-checking tool",
     "A news organisation is testing a fact-checking assistant built on {model}, {co} said."),
    ((), "{co} says it will not train on business customers' data",
     "{co} updated its policies to say it does not use data from enterprise customers to train {model}."),
    ((), "Scientists use {co}'s model to design new proteins",
     "A university lab used {model} to propose protein structures, some of which were later made in the lab."),
    ((), "Schools adopt {co}'s chatbot for homework help",
     "Several school districts have started using {product} to help students with homework, with teachers "
     "monitoring its use."),
    ((), "Startup builds legal research assistant on {co}'s API",
     "A legal-tech startup is using {model} to help lawyers search case law, its founders said."),
    ((), "{co} releases transparency report",
     "{co}'s transparency report details government requests for user data and the content it removed."),
    ((), "{co} demos model that controls robot arms",
     "In a video, {co} showed {new_model} directing robot arms to fold laundry and sort objects."),
    ((), "Hands-on with {new_model}: fast, but not flawless",
     "We spent a week with {co}'s {new_model}. It is quick and capable, but still makes odd mistakes."),
    ((), "{co} redesigns {product} with a cleaner interface",
     "The redesign puts conversations in a sidebar and adds keyboard shortcuts, {co} said."),
    ((), "{co} adds a status dashboard for enterprise admins",
     "Administrators can now see usage statistics and manage seats from a single dashboard, {co} said."),
    ((), "Inside the race to build AI agents",
     "From {co} to {lab2}, developers are betting that AI agents will be the next big interface."),
    ((), "{co} model wins gold at maths olympiad, company says",
     "{co} said an experimental model solved five of six problems from this year's International "
     "Mathematical Olympiad."),
    ((), "{co} retires its old logo in brand refresh",
     "{co} unveiled a new logo and visual identity, replacing the design it had used since its founding."),
    ((), "{co} adds team workspaces to {product}",
     "Teams can now share projects and prompts in {product}, {co} said, with admin controls for larger "
     "organisations."),
    ((), "{co}'s new model is better at following instructions, tests show",
     "Independent testers found {new_model} followed complex formatting instructions more reliably than "
     "{model}."),
]

MULTI: list[Template] = [
    (("funding_raise", "compute_deal"), "{co} raises {amt} to fund data-center buildout with {cloud_partner}",
     "{co} said the new funding, led by {inv}, will pay for a {gw} data-center expansion with "
     "{cloud_partner}, which will supply {chip} chips."),
    (("funding_raise", "revenue_growth"), "{co} raises at {val} valuation as revenue run-rate hits {rev}",
     "Investors led by {inv} valued {co} at {val} in a new round, betting on revenue that has climbed to an "
     "annualized {rev}."),
    (("losses_burn", "revenue_growth"), "{co} revenue soars to {rev} but losses widen to {loss}",
     "{co}'s revenue grew sharply last year, but spending on compute grew faster, leaving it with a net loss "
     "of {loss}, documents show."),
    (("layoffs", "leadership_change"), "{co} CEO {exec} departs as startup lays off {pct}% of staff",
     "{exec} stepped down as chief executive of {co} {date}, and the company said it would cut about {pct}% "
     "of its employees."),
    (("m_and_a", "leadership_change"), "{big} hires {co} CEO {exec} in {amt} licensing deal",
     "{big} will pay {co} about {amt} to license its models and hire most of its staff, including CEO {exec}, "
     "in a deal structured to avoid a full acquisition."),
    (("debt_financing", "compute_deal"), "{cloud} secures {debt} loan to buy {chip} GPUs for {lab} contract",
     "{cloud} borrowed {debt} from lenders led by {lender} to buy the chips it needs to serve a multiyear "
     "compute contract with {lab}."),
    (("legal_regulatory", "m_and_a"), "{regulator_short} reviews {big}'s {amt} acquisition of {co}",
     "{regulator} said it would examine whether {big}'s planned purchase of {co} would harm competition."),
    (("deprecation", "api_pricing"), "{co} retires {old_model}, cuts price of successor",
     "{co} will retire {old_model} on {date_future} and has lowered the price of {model} to {price_new} to "
     "ease the transition."),
    (("losses_burn", "layoffs"), "Cash-strapped {co} cuts staff as losses mount",
     "{co}, which lost {loss} last year, is laying off about {n_staff} employees to stretch its remaining "
     "cash, people familiar said."),
    (("funding_raise", "leadership_change"), "{co} raises {amt} and names {exec} chief executive",
     "Alongside a {amt} round led by {inv}, {co} said {exec} would take over as CEO from co-founder {exec2}."),
    (("outage", "legal_regulatory"), "{regulator_short} demands answers after {co} outage",
     "{regulator} asked {co} to explain a multi-hour outage of {product} that disrupted businesses relying on "
     "its API."),
    (("debt_financing", "losses_burn"), "{co} borrows {debt} to cover mounting losses",
     "{co} has taken out a {debt} loan from {lender} as it burns through cash, with losses expected to reach "
     "{loss} this year."),
    (("m_and_a", "losses_burn"), "Struggling {co} explores sale as cash dwindles",
     "With only months of cash left and losses mounting, {co} has approached potential buyers including "
     "{big}, people familiar said."),
    (("layoffs", "deprecation"), "{co} shuts down {product} and lays off team",
     "{co} is discontinuing {product} and laying off the employees who worked on it, the company said."),
    (("funding_raise", "debt_financing"), "{co} raises {amt} in equity and {debt} credit line",
     "{co} said it had raised {amt} from investors led by {inv} and secured a {debt} revolving credit "
     "facility from banks including {lender}."),
    (("compute_deal", "revenue_growth"), "{cloud} revenue surges on {lab} compute contract",
     "{cloud}'s revenue more than doubled to {rev_q} in {quarter}, driven by a large GPU capacity contract "
     "with {lab}."),
    (("leadership_change", "legal_regulatory"), "Ousted {co} executive {exec} sues company",
     "{exec}, who was removed as {co}'s {role} in {month}, filed a lawsuit accusing the board of breaching "
     "its duties."),
    (("funding_raise", "m_and_a"), "{co} raises {amt}, buys {startup}",
     "{co} said it raised {amt} from {inv} and used part of the money to acquire {startup}."),
    (("losses_burn", "leadership_change"), "{co} CFO {exec} exits as losses balloon",
     "{co}'s chief financial officer {exec} is leaving as the company's losses grew to {loss}, according to "
     "people familiar."),
    (("api_pricing", "revenue_growth"), "{co}'s price cuts drive surge in API revenue",
     "After cutting the price of {model} to {price_new}, {co} saw API revenue climb to an annualized {rev}, "
     "the company said."),
    (("deprecation", "m_and_a"), "{startup_cap} to shut down its product after {co} acquisition",
     "Following its acquisition by {co}, {startup} will shut down its standalone product on {date_future}."),
    (("legal_regulatory", "compute_deal"), "Export rules threaten {co}'s chip deal with {chipmaker}",
     "New export restrictions could block {chipmaker} from delivering {chip} chips that {co} ordered for "
     "its data centers."),
    (("funding_raise", "layoffs"), "{co} raises bridge round from {inv} after cutting staff",
     "{co} raised {amt_small} from existing investor {inv} weeks after laying off {pct}% of its employees."),
    (("outage", "compute_deal"), "{co} outage traced to {cloud_partner} capacity shortfall, signs new deal",
     "After an outage blamed on a shortage of capacity at {cloud_partner}, {co} signed a deal with {cloud} "
     "for additional GPUs."),
    (("revenue_growth", "leadership_change"), "{co} names new CEO as revenue passes {rev}",
     "{exec} will become {co}'s chief executive, the company said, as annualized revenue passed {rev}."),
    (("api_pricing", "outage"), "{co} throttles API after outages, tightening rate limits",
     "Following repeated outages, {co} has lowered rate limits for {model} to keep the service stable."),
]

NONE += [
    ((), "{co} adds real-time translation to {product}",
     "{product} can now translate conversations live between 20 languages, {co} said {date}."),
    ((), "{co} makes {model} available in {region}",
     "Developers in {region} can now use {model} through {co}'s platform, the company said."),
    ((), "Benchmark shows {new_model} beats rivals on long documents",
     "An independent benchmark found {co}'s {new_model} was better at answering questions about long "
     "documents than models from {lab2}."),
    ((), "{co} releases a smaller model that runs on phones",
     "The model is small enough to run on a smartphone without an internet connection, {co} said."),
    ((), "{co} publishes research on training efficiency",
     "A new paper from {co} describes techniques for training models with less compute."),
    ((), "{co} hosts hackathon for developers in {other_city}",
     "More than 500 developers attended {co}'s hackathon in {other_city}, building apps on {model}."),
    ((), "{exec} of {co} on building safe AI",
     "In an interview, {exec} explained how {co} tests its models before release and why it publishes "
     "its research."),
    ((), "Nvidia's quarterly revenue beats estimates on data-center demand",
     "Nvidia reported quarterly sales above Wall Street forecasts, driven by demand for its data-center "
     "chips from cloud providers."),
    ((), "Analysts debate whether AI spending will pay off",
     "Wall Street analysts are split on whether the billions spent on AI infrastructure will generate "
     "returns, a survey found."),
    ((), "{co} launches grant programme for researchers",
     "{co} will give academic researchers free access to {model} for studies on AI safety."),
    ((), "{co}'s new model writes and runs code in a sandbox",
     "{new_model} can now execute the code it writes in a secure sandbox, {co} said."),
    ((), "Developers compare {co} and {lab2} for coding tasks",
     "We asked developers which models they prefer for coding. Many use both {co} and {lab2}."),
    ((), "{co} adds citations to {product} answers",
     "Answers in {product} now include links to sources, {co} said, to make them easier to check."),
    ((), "{co} expands {product} to businesses in {region}",
     "{co} is making {product} available to companies in {region}, with local data storage."),
    ((), "{co} updates its usage policies for elections",
     "{co} said it would restrict the use of {product} for political campaigning ahead of elections."),
    ((), "{co} model helps doctors summarise patient notes",
     "A hospital group said {model} helped doctors write patient summaries faster in a pilot."),
    ((), "Data-center construction boom strains power grids",
     "Utilities in several states say demand from new data centers is outpacing new power supply."),
    ((), "{co} says its new model was trained on synthetic data",
     "{co} said {new_model} was trained partly on data generated by earlier models."),
    ((), "{co} launches an app for Mac and Windows",
     "The desktop app brings {product} to computers, with keyboard shortcuts and file uploads."),
    ((), "How {co}'s engineers evaluate new models",
     "A look inside {co}'s evaluation team, which designs tests that models must pass before launch."),
    ((), "{co} partners with {big} to bring {model} to its cloud",
     "{big} customers will be able to use {model} through its cloud marketplace, {co} said."),
    ((), "{co} unveils an open-source framework for agents",
     "The framework helps developers build agents that use tools, {co} said."),
    ((), "Venture capital firm {inv} hires new partner to lead AI investments",
     "{inv} has hired a former engineer from {co} as a partner focused on AI startups."),
    ((), "{co}'s model gets top marks in medical exam test",
     "In a study, {model} answered medical licensing exam questions with high accuracy."),
    ((), "Teachers experiment with {product} in classrooms",
     "Teachers in several countries are testing {product} to prepare lessons, a survey found."),
]

NONE += [
    ((), "{co} explains how it keeps {product} fast at peak hours",
     "A blog post from {co}'s engineers describes the caching and routing behind {product}."),
    ((), "{co} signs up {n_subs} developers for its new SDK",
     "{co} said {n_subs} developers had downloaded its SDK since launch, calling it one of its most popular "
     "releases."),
    ((), "The best AI models for writing, tested",
     "We compared models from {co}, {lab2} and others on essays, emails and fiction."),
]
