"""Builds the CLINC150-derived files of samples/assist/ (the Norvale Bank assistant sample).

Run: python3 scripts/make-assist-sample.py   (any Python 3; standard library only; deterministic)

Writes
  samples/assist/intents.yaml        English intents: examples = CLINC150 `train` items of 20 intents,
                                     out_of_scope = all CLINC150 `oos_train` items; descriptions,
                                     answers and slots are hand-written (below).
  samples/assist/tests/questions.csv held-out questions: CLINC150 `test` items of the 20 intents,
                                     200 CLINC150 `oos_test` items, and hand-written questions
                                     (below) for the FAQ, the documents and the Chinese intents.

CLINC150 (Larson et al., EMNLP 2019) is CC BY 3.0, see samples/assist/SOURCE.md. Everything
written here by hand (answers, prompts, patterns, hand-written questions) is textkit's (MIT).
The other files of samples/assist/ (assistant.yaml, intents-zh.yaml, faq.yaml, docs/, SOURCE.md)
are hand-written and not touched by this script.
"""
import csv
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "clinc150" / "data_full.json"
OUT = ROOT / "samples" / "assist"

# The 20 intents of samples/intents, with hand-written descriptions, answers and slots.
CURRENCY = (
    r"us dollars?|u\.s\. dollars?|canadian dollars?|australian dollars?|usd|cad|aud|dollars?|bucks|"
    r"euros?|eur|british pounds?|pounds? sterling|pounds?|gbp|yens?|jpy|pesos?|mxn|rubles?|roubles?|"
    r"rupees?|inr|lira|won|swedish kron(?:er|a)|kron(?:er|a|or)|francs?|franks|chf|yuan|renminbi|rmb|"
    r"riyals?|rand|baht|dinars?|dirhams?|zloty"
)
NUMBER_WORD = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
LANGUAGES = (
    "spanish|french|german|italian|portuguese|japanese|chinese|mandarin|cantonese|korean|russian|"
    "arabic|dutch|swedish|norwegian|finnish|danish|irish|hawaiian|swahili|vietnamese|greek|turkish|"
    "polish|hindi|latin|english|thai|hebrew|mongolian"
)

INTENTS = [
    {
        "id": "balance",
        "description": "Ask for the current balance of an account",
        "answer": "Your balances are on the Accounts tab of the Norvale app and update in real time. "
                  "You can also call 1-800-555-0142 any time and press 1 for an automated balance.",
    },
    {
        "id": "bill_balance",
        "description": "Ask how much is owed on a bill",
        "answer": "Bills you've linked are listed under Payments > Bills in the Norvale app, with the amount "
                  "due and the due date. If a biller isn't there yet, tap Add biller and we'll fetch "
                  "your latest statement.",
    },
    {
        "id": "card_declined",
        "description": "Ask why a card payment was declined",
        "answer": "Sorry about that! The usual reasons are a daily limit, a locked card or a security check. "
                  "The Norvale app shows the exact reason under Cards > Recent declines; if it says "
                  "Security check, tap It was me and try again in a minute.",
    },
    {
        "id": "credit_limit",
        "description": "Ask for the credit limit of a credit card",
        "answer": "Your credit limit and available credit are shown under Cards > Norvale credit card in "
                  "the app, and on every statement. Available credit goes back up as soon as a payment "
                  "reaches us.",
    },
    {
        "id": "freeze_account",
        "description": "Ask to freeze or block an account",
        "answer": "I can help with that. For your security I'm bringing in our account-protection team, "
                  "who can freeze your account while you wait. In the meantime you can lock your cards "
                  "instantly under Cards > Lock card in the Norvale app.",
        "handover": True,
    },
    {
        "id": "interest_rate",
        "description": "Ask about interest rates on accounts and cards",
        "answer": "Our current rates: Everyday Savings 2.10% APY, Bonus Saver 3.40% APY in months without "
                  "withdrawals, and the 12-month CD 4.05% APY. The Norvale Platinum credit card has a "
                  "variable purchase APR of 19.9%.",
    },
    {
        "id": "pay_bill",
        "description": "Pay a bill from a Norvale account",
        "answer": "All set: your {biller} bill payment of {amount} will go out {date}. You'll find the "
                  "confirmation under Payments in the Norvale app.",
        "slots": {
            "biller": {
                "pattern": r"\b(electric(?:ity)?|water|gas|internet|cable|cell phone|cell|phone|insurance|"
                           r"car|rent|mortgage|credit card|tuition|student loan|tv|trash|hoa|tax|house|store)\b",
                "prompt": "Which bill would you like to pay? For example electric, water or phone.",
            },
            "amount": {"entity": "MONEY", "optional": True, "default": "the full amount due"},
            "date": {"entity": "DATE", "optional": True, "default": "today"},
        },
    },
    {
        "id": "pin_change",
        "description": "Change the PIN of a card",
        "answer": "You can change your PIN in the Norvale app under Cards > Change PIN, or at any Norvale "
                  "ATM: insert your card, choose PIN services and follow the steps. Your new PIN works "
                  "straight away.",
    },
    {
        "id": "report_fraud",
        "description": "Report fraudulent activity on an account or card",
        "answer": "Thank you for telling us, and I'm sorry this happened. I've flagged your account and "
                  "I'm connecting you to our fraud team now; they'll go through the payments with you. "
                  "Please don't share any codes we send you with anyone.",
        "handover": True,
    },
    {
        "id": "routing",
        "description": "Ask for the bank's routing number",
        "answer": "Norvale Bank's routing number is 990417253. Your account number is in the Norvale app "
                  "under Accounts > Details; you need both for direct deposits and domestic wires.",
    },
    {
        "id": "spending_history",
        "description": "Ask how much was spent, in total or on a category",
        "answer": "You can see your spending by month and by category under Insights in the Norvale app. "
                  "Tap a category, such as Groceries or Restaurants, to see every payment behind it.",
    },
    {
        "id": "transactions",
        "description": "Ask for the recent transactions of an account",
        "answer": "Your recent transactions are on the Accounts tab of the Norvale app: tap an account to "
                  "see them, newest first. You can search by merchant or amount and download statements "
                  "for the last seven years.",
    },
    {
        "id": "transfer",
        "description": "Move money between accounts",
        "answer": "Done: {amount} is on its way to your {account} account. Transfers between Norvale "
                  "accounts arrive instantly; to other banks it usually takes until the next business day.",
        "slots": {
            "amount": {"entity": "MONEY", "prompt": "How much would you like to transfer?"},
            "account": {
                "pattern": r"(?:\b(?:to|into|in)\s+(?:my\s+|the\s+)?|^\s*)(savings|saving|checking|current|money market)\b",
                "prompt": "To which account: savings or checking?",
            },
        },
    },
    {
        "id": "min_payment",
        "description": "Ask for the minimum payment due on a credit card",
        "answer": "Your minimum payment is on your latest statement and under Cards > Norvale credit card > "
                  "Payments. It's the larger of $35 or 2% of your balance, plus interest and fees; paying "
                  "at least that by the due date avoids a late fee.",
    },
    {
        "id": "exchange_rate",
        "description": "Ask for the exchange rate between two currencies",
        "answer": "Norvale's live {from_currency} to {to_currency} rate is under Travel > Exchange rates in "
                  "the app, updated every minute. Norvale debit and Platinum cards add no foreign "
                  "transaction fee on top of it.",
        "slots": {
            "from_currency": {
                "pattern": r"\b(" + CURRENCY + r")\b",
                "prompt": "Which currency would you like to convert from?",
            },
            "to_currency": {
                "pattern": r"\b(?:" + CURRENCY + r")\b.*?\b(" + CURRENCY + r")\b",
                "prompt": "And which currency would you like to convert to?",
            },
        },
    },
    {
        "id": "book_flight",
        "description": "Book a flight with Norvale Travel",
        "answer": "Great choice! Norvale Travel has flights to {destination} on {date}. I've sent the three "
                  "best fares to your inbox; reply 1, 2 or 3 to book, and pay with your Norvale Platinum "
                  "card for free travel insurance.",
        "slots": {
            "destination": {"entity": "LOC", "prompt": "Where would you like to fly to?"},
            "date": {"entity": "DATE", "prompt": "On what date would you like to leave?"},
        },
    },
    {
        "id": "weather",
        "description": "Ask about the weather",
        "answer": "I can't check live forecasts here, but every trip you've booked with Norvale Travel "
                  "shows a 7-day forecast for your destination under Trips > Weather in the app.",
    },
    {
        "id": "timer",
        "description": "Set a timer",
        "answer": "Your timer for {duration} is running. I'll send you a message here when the time is up.",
        "slots": {
            "duration": {
                "pattern": r"\b((?:\d+(?:\.\d+)?|an?|" + NUMBER_WORD + r"|fifteen|twenty|thirty|forty|"
                           r"forty-five|fifty|sixty|ninety|a few|half an?)[\s-]*"
                           r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?)|half an hour)\b",
                "prompt": "How long should the timer run?",
            },
        },
    },
    {
        "id": "alarm",
        "description": "Set an alarm",
        "answer": "Done: your alarm is set for {time}. The Norvale app will ring and send a notification "
                  "at that time.",
        "slots": {
            "time": {
                "pattern": r"\b(\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{3,4}\s*(?:am|pm)|\d{1,2}:\d{2}|"
                           r"\d{1,2}\s+in the (?:morning|afternoon|evening)|"
                           r"(?:" + NUMBER_WORD + r")(?:\s+(?:o'clock|fifteen|thirty|forty-five|forty five))?"
                           r"(?:\s+in the (?:morning|afternoon|evening)|\s*(?:am|pm))|"
                           r"(?:" + NUMBER_WORD + r")\s+(?:o'clock|fifteen|thirty|forty-five|forty five)|"
                           r"(?<=at )\d{1,2}|noon|midnight|mid day|midday)\b",
                "prompt": "What time should I set the alarm for?",
            },
        },
    },
    {
        "id": "translate",
        "description": "Translate a word or phrase into another language",
        "answer": "\"{phrase}\" in {language}: you'll find it, with audio, in the Norvale Travel phrasebook "
                  "under Travel > Phrasebook in the app.",
        "slots": {
            "phrase": {
                "pattern": r"\b(?:say|translate)[\s,]+(?:the\s+(?:word|sentence|phrase)[\s,]+)?" "['\"]?(.+?)['\"]?" r",?"
                           r"\s+(?:in|into|to)\s+[a-z]+(?:\s+for\s+me)?[\s?.!]*$",
                "prompt": "What would you like me to translate?",
            },
            "language": {
                "pattern": r"(?:\b(?:in|into|to)\s+|^\s*)(" + LANGUAGES + r")\b",
                "prompt": "Into which language?",
            },
        },
    },
]

# CLINC150 oos_test items left out of the test questions because the Norvale FAQ or help pages
# answer them (labelling them `oos` would count a correct answer as wrong).
OOS_TEST_EXCLUDED = {
    "at what age can someone get a card",
    "is the bank open on mlk day",
    "can i deposit a check",
    "how long is the bank open until",
    "can i set up mobile deposits",
    "how do i add someone to my account",
    "is there a fee for cancelling a flight i've booked",
    "do you know if it is possible to close my savings account",
    "add my wife as an authorized user to checking account 20905432",
    "i need to add a person to my bank account",
    "can i use direct deposit for my tax refund",
    "please take all my money out of my checking account and close the account",
}
OOS_TEST_COUNT = 200

# Hand-written held-out questions (textkit, MIT): (text, intent, lang).
HANDWRITTEN_TESTS = [
    # English, answered by the FAQ
    ("will my card be accepted when i travel to japan", "faq:card-abroad", "en"),
    ("do you charge extra when i buy something priced in euros", "faq:foreign-fees", "en"),
    ("do i have to let norvale know i'm going on vacation", "faq:travel-notice", "en"),
    ("is travel insurance included with the platinum card", "faq:travel-insurance", "en"),
    ("how many free airport lounge visits do i get", "faq:lounge-access", "en"),
    ("can i buy foreign banknotes through the app", "faq:foreign-cash", "en"),
    ("how much does norvale charge when i use a different bank's cash machine", "faq:atm-fees", "en"),
    ("is there a norvale cash machine close to me", "faq:atm-locator", "en"),
    ("what's the most cash i can take out of an atm in one day", "faq:withdrawal-limit", "en"),
    ("can i put banknotes into my account at the cash machine", "faq:cash-deposit", "en"),
    ("are your branches open on sundays", "faq:branch-hours", "en"),
    ("what number do i call to speak to a person", "faq:phone-support", "en"),
    ("is there a maximum for tap payments", "faq:contactless-limit", "en"),
    ("how do i pay with my watch", "faq:mobile-wallet", "en"),
    ("what do i need to sign up for the app on my phone", "faq:mobile-app", "en"),
    ("my phone got stolen, can someone get into my bank app", "faq:lost-phone", "en"),
    ("can i deposit a paycheck by taking a picture of it", "faq:cheque-deposit", "en"),
    ("i'm in college, is there an account for me", "faq:student-account", "en"),
    ("how much is the monthly charge on everyday checking", "faq:monthly-fee", "en"),
    ("what documents do i need to become a norvale customer", "faq:open-account", "en"),
    ("i want to shut down my norvale account", "faq:close-account", "en"),
    ("can my husband and i share one account", "faq:joint-account", "en"),
    ("what accounts do you have for children", "faq:kids-account", "en"),
    ("i think i left my card at a restaurant and now it's gone", "faq:lost-card", "en"),
    ("how many days until my replacement card arrives", "faq:replacement-card", "en"),
    ("my new card came in the mail, how do i start using it", "faq:card-activation", "en"),
    ("can i make a one-time card number for shopping online", "faq:virtual-card", "en"),
    ("how much does it cost to wire money overseas", "faq:international-wire", "en"),
    ("how do i get my salary paid into norvale", "faq:direct-deposit", "en"),
    ("i'm moving, where do i change my address", "faq:change-address", "en"),
    ("i'd like my statements sent by mail", "faq:paperless-statements", "en"),
    ("does the app show my credit score", "faq:credit-score", "en"),
    ("can i get a higher limit on my credit card", "faq:limit-increase", "en"),
    ("i want a notification every time my card is charged", "faq:transaction-alerts", "en"),
    ("why am i getting login codes i never requested", "faq:verification-codes", "en"),
    ("how much does a safe deposit box cost", "faq:safe-deposit-box", "en"),
    ("can i open a checking account for my small business", "faq:business-account", "en"),
    ("do i get anything for referring a friend", "faq:refer-a-friend", "en"),
    ("can i get a refund if i cancel my norvale travel flight", "faq:flight-cancel", "en"),
    ("i need to fly a day later, can i change my booking", "faq:flight-change", "en"),
    # English, answered by a help article
    ("can i turn off online payments on my debit card", "doc:card-security.md", "en"),
    ("what happens to my subscriptions if i lock my card", "doc:card-security.md", "en"),
    ("how do i know if a text claiming to be from norvale is a scam", "doc:card-security.md", "en"),
    ("how long until i get my money back after card fraud", "doc:card-security.md", "en"),
    ("should i pay in dollars or in the local currency when i'm abroad", "doc:travel-with-your-card.md", "en"),
    ("why is there a hold on my card after checking into a hotel", "doc:travel-with-your-card.md", "en"),
    ("can norvale get me emergency cash if my wallet is stolen on vacation", "doc:travel-with-your-card.md", "en"),
    ("in how many countries are there northway alliance atms", "doc:travel-with-your-card.md", "en"),
    ("what's the difference between a fixed and an adjustable rate mortgage", "doc:mortgages-explained.html", "en"),
    ("how much do i need for a down payment on a house", "doc:mortgages-explained.html", "en"),
    ("what are closing costs", "doc:mortgages-explained.html", "en"),
    ("is there a penalty for paying off my mortgage early", "doc:mortgages-explained.html", "en"),
    ("what happens when my cd matures", "doc:savings-accounts.txt", "en"),
    ("what is the penalty for breaking a cd early", "doc:savings-accounts.txt", "en"),
    ("how do round-ups work", "doc:savings-accounts.txt", "en"),
    ("when is interest paid into my savings account", "doc:savings-accounts.txt", "en"),
    ("i was charged twice for the same order, what do i do", "doc:disputes-and-chargebacks.md", "en"),
    ("how long does a chargeback take", "doc:disputes-and-chargebacks.md", "en"),
    ("my package never arrived, can the bank get my money back", "doc:disputes-and-chargebacks.md", "en"),
    ("how long do i have to dispute a card payment", "doc:disputes-and-chargebacks.md", "en"),
    # Chinese intents
    ("帮我给小刘转两千块", "zh_transfer", "zh"),
    ("转账给我姐800", "zh_transfer", "zh"),
    ("我想把钱转到别的银行的卡上", "zh_transfer", "zh"),
    ("怎样在App里给别人汇钱", "zh_transfer", "zh"),
    ("麻烦转3000到我表哥账户", "zh_transfer", "zh"),
    ("帮我看一下卡里剩多少", "zh_balance", "zh"),
    ("我的账户还有多少余额呀", "zh_balance", "zh"),
    ("查询一下活期余额", "zh_balance", "zh"),
    ("工资卡里现在多少钱", "zh_balance", "zh"),
    ("余额多少，帮我查下", "zh_balance", "zh"),
    ("我的信用卡被偷了", "zh_lost_card", "zh"),
    ("银行卡不知道丢哪了，怎么办", "zh_lost_card", "zh"),
    ("帮我把丢的卡挂失一下", "zh_lost_card", "zh"),
    ("卡落在火车上了", "zh_lost_card", "zh"),
    ("钱包丢了，里面有银行卡", "zh_lost_card", "zh"),
    ("支付密码忘记了怎么重置", "zh_password", "zh"),
    ("我想换一个登录密码", "zh_password", "zh"),
    ("取款密码能在App上改吗", "zh_password", "zh"),
    ("密码老是输错，想重新设置", "zh_password", "zh"),
    ("怎么改银行卡的交易密码", "zh_password", "zh"),
    ("我的信用卡总共有多少额度", "zh_credit_limit", "zh"),
    ("信用卡还能用多少额度", "zh_credit_limit", "zh"),
    ("查一下我的可用额度", "zh_credit_limit", "zh"),
    ("白金卡的额度是多少钱", "zh_credit_limit", "zh"),
    ("我信用卡额度现在是多少", "zh_credit_limit", "zh"),
    ("我想办一张新的储蓄卡", "zh_open_account", "zh"),
    ("开个银行账户要带哪些证件", "zh_open_account", "zh"),
    ("能在App上开户吗", "zh_open_account", "zh"),
    ("给我女儿办张卡需要什么", "zh_open_account", "zh"),
    ("开户收不收费", "zh_open_account", "zh"),
    ("现在有什么收益高点的理财", "zh_wealth", "zh"),
    ("理财产品有哪些可以买", "zh_wealth", "zh"),
    ("我有20万闲钱，买啥理财好", "zh_wealth", "zh"),
    ("北岸季季享收益多少", "zh_wealth", "zh"),
    ("有没有短期的低风险理财", "zh_wealth", "zh"),
    ("房贷利息现在是多少", "zh_loan_rate", "zh"),
    ("消费贷款年利率多少", "zh_loan_rate", "zh"),
    ("贷款买车利率高吗", "zh_loan_rate", "zh"),
    ("借钱装修利息怎么算", "zh_loan_rate", "zh"),
    ("首套房贷款利率是多少个点", "zh_loan_rate", "zh"),
    ("你们银行几点关门", "zh_hours", "zh"),
    ("星期六可以去网点吗", "zh_hours", "zh"),
    ("网点中午开门吗", "zh_hours", "zh"),
    ("法定节假日营业吗", "zh_hours", "zh"),
    ("周一几点开门", "zh_hours", "zh"),
    ("我要投诉你们网点的工作人员", "zh_complaint", "zh"),
    ("你们的服务让我非常不满", "zh_complaint", "zh"),
    ("客服电话老是没人接，我要投诉", "zh_complaint", "zh"),
    ("乱收费，我要求给个说法", "zh_complaint", "zh"),
    ("我想反映一个问题，你们经理态度恶劣", "zh_complaint", "zh"),
    ("信用卡账单可以分几期", "zh_installment", "zh"),
    ("这期账单我想分6期还", "zh_installment", "zh"),
    ("账单分期要多少手续费", "zh_installment", "zh"),
    ("怎么把信用卡账单分期", "zh_installment", "zh"),
    ("分24期划算吗", "zh_installment", "zh"),
    ("美元兑人民币今天多少", "zh_fx_rate", "zh"),
    ("现在欧元的汇率是多少", "zh_fx_rate", "zh"),
    ("一万日元能换多少人民币", "zh_fx_rate", "zh"),
    ("港币今天的牌价", "zh_fx_rate", "zh"),
    ("英镑现在什么汇率", "zh_fx_rate", "zh"),
    # Chinese, none of the intents
    ("明天北京天气如何", "oos", "zh"),
    ("讲个故事给我听", "oos", "zh"),
    ("帮我订一间酒店", "oos", "zh"),
    ("外卖怎么还没到", "oos", "zh"),
    ("你叫什么名字", "oos", "zh"),
    ("珠穆朗玛峰有多高", "oos", "zh"),
    ("西红柿炒鸡蛋怎么做", "oos", "zh"),
    ("推荐几本好书", "oos", "zh"),
    ("今年中秋节是几号", "oos", "zh"),
    ("帮我查一下火车时刻表", "oos", "zh"),
    ("我想学游泳", "oos", "zh"),
    ("狗狗发烧怎么办", "oos", "zh"),
    ("附近哪里有电影院", "oos", "zh"),
    ("电视机没信号了", "oos", "zh"),
    ("一年有多少天", "oos", "zh"),
    ("月亮为什么会有圆缺", "oos", "zh"),
    ("给我推荐个旅游的地方", "oos", "zh"),
    ("打印机怎么安装", "oos", "zh"),
    ("帮我算一下37乘以48", "oos", "zh"),
    ("你会说英语吗", "oos", "zh"),
    ("手机屏幕碎了去哪修", "oos", "zh"),
    ("今天有什么新闻", "oos", "zh"),
    ("我想买一台新电脑", "oos", "zh"),
    ("怎么提高睡眠质量", "oos", "zh"),
    ("哪个牌子的洗衣机好", "oos", "zh"),
    ("足球比赛几点开始", "oos", "zh"),
    ("怎么申请护照", "oos", "zh"),
    ("我想找个兼职", "oos", "zh"),
    ("教我下象棋", "oos", "zh"),
    ("家里停电了怎么办", "oos", "zh"),
    # Chinese, answered by the FAQ
    ("第一次用手机银行怎么注册", "faq:zh-mobile-banking", "zh"),
    ("我家附近有北岸的网点吗", "faq:zh-branch-locator", "zh"),
    ("去泰国旅游能用北岸的卡刷吗", "faq:zh-overseas-card", "zh"),
    ("信用卡额度太低了，能提高吗", "faq:zh-raise-limit", "zh"),
    ("白金卡一年年费多少", "faq:zh-annual-fee", "zh"),
    ("跨行转钱要收手续费吗", "faq:zh-transfer-fee", "zh"),
    ("手机银行一天能转多少", "faq:zh-transfer-limit", "zh"),
    ("动账短信每个月收多少钱", "faq:zh-sms-alerts", "zh"),
    ("我换了手机号，银行卡预留的号码怎么改", "faq:zh-change-phone", "zh"),
    ("用别的银行的取款机取钱要手续费吗", "faq:zh-atm-fee", "zh"),
    ("房贷想提前还一部分，要交违约金吗", "faq:zh-early-repay", "zh"),
    ("存款放在你们银行有保障吗", "faq:zh-deposit-insurance", "zh"),
    ("有个人说是银行的，叫我把钱转到安全账户", "faq:zh-fraud-call", "zh"),
    ("我想办北岸的信用卡，要什么条件", "faq:zh-credit-card-apply", "zh"),
    ("三年定期利息是多少", "faq:zh-deposit-rate", "zh"),
    # Chinese, answered by a help article
    ("手机银行密码输错5次会怎样", "doc:mobile-banking-guide-zh.md", "zh"),
    ("手机银行能交水电费吗", "doc:mobile-banking-guide-zh.md", "zh"),
    ("转账一直显示处理中怎么办", "doc:mobile-banking-guide-zh.md", "zh"),
    ("信用卡免息期最长多少天", "doc:credit-card-bills-zh.md", "zh"),
    ("信用卡逾期了会有什么后果", "doc:credit-card-bills-zh.md", "zh"),
    ("信用卡多还的钱怎么取回来", "doc:credit-card-bills-zh.md", "zh"),
    ("怎么识别冒充公检法的诈骗", "doc:fraud-prevention-zh.md", "zh"),
    ("被骗转账了应该怎么办", "doc:fraud-prevention-zh.md", "zh"),
]


def q(text):
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def write_intents(data):
    names = [intent["id"] for intent in INTENTS]
    examples = {name: [] for name in names}
    for text, label in data["train"]:
        if label in examples:
            examples[label].append(text)
    lines = [
        "# Generated by scripts/make-assist-sample.py; do not edit by hand.",
        "# examples and out_of_scope: CLINC150 (CC BY 3.0, see SOURCE.md);",
        "# descriptions, answers and slots: textkit (MIT).",
        "intents:",
    ]
    for intent in INTENTS:
        lines += [
            f"  - id: {intent['id']}",
            "    lang: en",
            f"    description: {q(intent['description'])}",
            "    examples:",
        ]
        lines += [f"      - {q(text)}" for text in examples[intent["id"]]]
        lines.append(f"    answer: {q(intent['answer'])}")
        if intent.get("slots"):
            lines.append("    slots:")
            for name, slot in intent["slots"].items():
                lines.append(f"      {name}:")
                for key in ("entity", "pattern", "optional", "default", "prompt"):
                    if key not in slot:
                        continue
                    value = slot[key]
                    text = ("true" if value else "false") if isinstance(value, bool) else q(value)
                    lines.append(f"        {key}: {text}")
        lines.append(f"    handover: {'true' if intent.get('handover') else 'false'}")
    lines.append("out_of_scope:")
    lines += [f"  - {q(text)}" for text, _ in data["oos_train"]]
    (OUT / "intents.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sum(len(v) for v in examples.values()), len(data["oos_train"])


def write_tests(data):
    names = {intent["id"] for intent in INTENTS}
    rows = [(text, label, "en") for text, label in data["test"] if label in names]
    clinc_in = len(rows)
    oos = [text for text, _ in data["oos_test"] if text not in OOS_TEST_EXCLUDED][:OOS_TEST_COUNT]
    rows += [(text, "oos", "en") for text in oos]
    rows += HANDWRITTEN_TESTS
    (OUT / "tests").mkdir(parents=True, exist_ok=True)
    with open(OUT / "tests" / "questions.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["text", "intent", "lang"])
        writer.writerows(rows)
    return clinc_in, len(oos), len(HANDWRITTEN_TESTS)


data = json.loads(SOURCE.read_text(encoding="utf-8"))
OUT.mkdir(parents=True, exist_ok=True)
print("intents.yaml: %d examples, %d out_of_scope" % write_intents(data))
print("tests/questions.csv: %d CLINC150 test, %d oos_test, %d hand-written" % write_tests(data))
