"""issue 10: reference data in both languages

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 03:30:00

Regions become reference data with a Chinese name beside the English one the labs are filed under
(`labs.region` keeps the English name as the key). Every region the labs already name gets a row;
the province's 21 prefectures get their Chinese names, others are left for an administrator.
Test categories and items already carry `name` and `name_en`.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

PREFECTURES = {
    "Chengdu": "成都市", "Zigong": "自贡市", "Panzhihua": "攀枝花市", "Luzhou": "泸州市",
    "Deyang": "德阳市", "Mianyang": "绵阳市", "Guangyuan": "广元市", "Suining": "遂宁市",
    "Neijiang": "内江市", "Leshan": "乐山市", "Nanchong": "南充市", "Meishan": "眉山市",
    "Yibin": "宜宾市", "Guang'an": "广安市", "Dazhou": "达州市", "Ya'an": "雅安市",
    "Bazhong": "巴中市", "Ziyang": "资阳市", "Aba": "阿坝州", "Ganzi": "甘孜州", "Liangshan": "凉山州",
}


def upgrade():
    regions = op.create_table(
        'regions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('name_zh', sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
        sa.UniqueConstraint('name', name=op.f('uq_regions_name')),
    )
    conn = op.get_bind()
    labs = sa.table('labs', sa.column('region', sa.String))
    names = sorted(r for (r,) in conn.execute(sa.select(labs.c.region).distinct()) if r)
    if names:
        op.bulk_insert(regions, [{'name': n, 'name_zh': PREFECTURES.get(n)} for n in names])


def downgrade():
    op.drop_table('regions')
